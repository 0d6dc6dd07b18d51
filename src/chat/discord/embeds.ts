import type { ClosedAs, LinkButton, Mention, Message, Notice, Report, ReportButton, ReportLine, ReportSection } from '../../core/report.js';
import { worstStatus, type LineStatus } from '../../core/status.js';
import { codeTimesInUtc } from '../../core/time.js';
import { followUpHeading, namedHeading, packedCount, packedHint, packedNames, pageNotes, paginateReport, problemHeadline, unnamedNote, type ReportPage } from '../../render/report-pages.js';
import { statusSymbol } from '../../render/text.js';
import { withLocalTimes } from './local-times.js';
import { discordLimits as limits, embedSize, truncate, type ActionRow, type ButtonComponent, type LinkButtonComponent, type DiscordMessageBody, type Embed, type EmbedField } from './message-body.js';

/** How a message is rendered for Discord. */
export interface EmbedRenderOptions {
  /** The `custom_id` for a button's command; commands longer than 100 characters need a short id. */
  customIdFor?: (command: string) => string;
}

/** Embed colours by status: ok green, warn amber, crit red, unknown grey, skipped (not run) dark grey. */
export const statusColours: Record<LineStatus, number> = { ok: 0x2ecc71, warn: 0xf1a90f, crit: 0xe03e3e, unknown: 0x95a5a6, skipped: 0x607d8b };
const statusEmoji: Record<LineStatus, string> = { ok: '✅', warn: '⚠️', crit: '🚨', unknown: '❔', skipped: '➖' };
/** Embed colours of closed cards: rejected dark red, expired and cancelled slate. */
export const closedColours: Record<ClosedAs, number> = { rejected: 0x992d22, expired: 0x546e7a, cancelled: 0x546e7a };
const closedEmoji: Record<ClosedAs, string> = { rejected: '⛔', expired: '⌛', cancelled: '🚫' };
const noticePrefix: Record<Notice['tone'], string> = { info: '', progress: '⏳ ', error: '❌ ' };
const noticeColours: Record<Notice['tone'], number> = { info: 0x5865f2, progress: 0x95a5a6, error: statusColours.crit };
const inlineValueLength = 40;

/** Renders any message for Discord within its limits: reports as embeds, notices as text, buttons as rows; a long report shows its first message. */
export function renderDiscordMessage(message: Message, options: EmbedRenderOptions = {}): DiscordMessageBody {
  return renderDiscordMessages(message, options)[0]!;
}

/**
 * Renders a message as one or more Discord messages, each within Discord's limits: a report too long for
 * one is split (see `paginateReport`), the first naming every problem and carrying the buttons, the rest
 * to be sent as follow-ups. Moments become `<t:…:f>` where Discord renders them.
 */
export function renderDiscordMessages(message: Message, options: EmbedRenderOptions = {}): DiscordMessageBody[] {
  const shown = codeTimesInUtc(message);
  const customIdFor = options.customIdFor ?? ((command: string) => command);
  if (shown.kind === 'notice') {
    const body = { ...noticeBody(shown), components: buttonRows([...(shown.buttons ?? []), ...(shown.links ?? [])], [], customIdFor).rows };
    return [withLocalTimes(shown.mentions?.length ? mentioning(body, shown.mentions) : body)];
  }
  const firstPageButtons = [...(shown.buttons ?? []), ...(shown.links ?? []), ...sectionLinks(shown)];
  const pageRows = (page: ReportPage) => buttonRows(page.index === 0 ? firstPageButtons : [], lineButtons(page), customIdFor);
  const pages = paginateReport(shown, (page) => fitsOneMessage(pageBody(shown, page)) && pageRows(page).dropped === 0);
  return pages.map((page) => {
    const body = { ...pageBody(shown, page), components: pageRows(page).rows };
    return withLocalTimes(page.index === 0 && shown.mentions?.length ? mentioning(body, shown.mentions) : body);
  });
}

/** The buttons of each line on the page that has any, one list per line. */
function lineButtons(page: ReportPage): ReportButton[][] {
  return page.sections.flatMap((entry) => entry.section.lines.map((line) => line.buttons ?? [])).filter((buttons) => buttons.length > 0);
}

/** `<@&role>` and `<@user>` at the start of the content, and allowed_mentions naming exactly them, so they are notified. */
function mentioning(body: DiscordMessageBody, mentions: readonly Mention[]): DiscordMessageBody {
  const names = mentions.map((mention) => (mention.kind === 'group' ? `<@&${mention.id}>` : `<@${mention.id}>`)).join(' ');
  const ids = (kind: Mention['kind']): string[] => mentions.filter((mention) => mention.kind === kind).map((mention) => mention.id);
  return {
    ...body,
    content: truncate(body.content ? `${names} ${body.content}` : names, limits.content),
    allowed_mentions: { parse: [], roles: ids('group'), users: ids('user') },
  };
}

const packedNamesMax = 1500;

function pageBody(report: Report, page: ReportPage): Omit<DiscordMessageBody, 'components'> {
  const embeds: Embed[] = [];
  if (page.index === 0) {
    const header: Embed = {
      title: truncate(`${report.closed ? closedEmoji[report.closed] : statusEmoji[report.status]} ${report.title}`, limits.title),
      color: report.closed ? closedColours[report.closed] : statusColours[report.status],
    };
    if (report.summary) header.description = truncate(report.summary, limits.description);
    embeds.push(header);
  }
  for (const entry of page.sections) embeds.push(...sectionEmbeds(entry.section, entry.continued));
  embeds.push(...namedEmbeds(page));
  if (page.packed.length > 0) {
    const hint = packedHint(page.packed);
    const description = `${packedNames(page.packed, packedNamesMax)}${hint ? `\n(${hint})` : ''}`;
    embeds.push({ title: truncate(`${statusEmoji.ok} ${packedCount(page.packed)}`, limits.title), description: truncate(description, limits.description), color: statusColours.ok });
  }
  const footer = pageNotes(report, page).join('\n');
  if (footer && embeds.length > 0) embeds[embeds.length - 1]!.footer = { text: truncate(footer, limits.footer) };
  return { content: page.index === 0 ? '' : truncate(followUpHeading(report, page), limits.content), embeds };
}

/** The embeds of one section: its lines as fields, 25 to an embed. */
function sectionEmbeds(section: ReportSection, continued: boolean): Embed[] {
  const fields = section.lines.map(lineField);
  const embeds = [sectionEmbed(section, continued)];
  for (const field of fields) {
    let embed = embeds.at(-1)!;
    if ((embed.fields?.length ?? 0) >= limits.fieldsPerEmbed) {
      embed = sectionEmbed(section, true);
      embeds.push(embed);
    }
    (embed.fields ??= []).push(field);
  }
  return embeds;
}

/** The problem sections the first page only names, one line each, in as many embeds as their text needs. */
function namedEmbeds(page: ReportPage): Embed[] {
  const lines = page.named.map((section) => `${statusEmoji[section.status]} **${section.title}** — ${problemHeadline(section)}`);
  const unnamed = unnamedNote(page);
  if (unnamed) lines.push(unnamed);
  if (lines.length === 0) return [];
  const status = worstStatus(page.named.map((section) => section.status));
  const title = truncate(`${statusEmoji[status]} ${namedHeading}`, limits.title);
  const embeds: Embed[] = [];
  let description = '';
  for (const line of lines.map((text) => truncate(text, limits.description))) {
    if (description && description.length + 1 + line.length > limits.description) {
      embeds.push({ title, description, color: statusColours[status] });
      description = line;
    } else {
      description = description ? `${description}\n${line}` : line;
    }
  }
  embeds.push({ title, description, color: statusColours[status] });
  return embeds;
}

function fitsOneMessage(body: Omit<DiscordMessageBody, 'components'>): boolean {
  const characters = body.embeds.reduce((sum, embed) => sum + embedSize(embed), 0);
  return body.embeds.length <= limits.embedsPerMessage && characters <= limits.charactersInAllEmbeds && body.content.length <= limits.content;
}

function sectionEmbed(section: ReportSection, continued: boolean): Embed {
  const embed: Embed = {
    title: truncate(`${statusEmoji[section.status]} ${section.title}${continued ? ' (continued)' : ''}`, limits.title),
    color: statusColours[section.status],
  };
  if (section.foldedOk && !continued) embed.description = `${statusSymbol('ok')} ${section.foldedOk} more ok (--verbose shows them)`;
  return embed;
}

function lineField(line: ReportLine): EmbedField {
  const head = `${line.value || '—'}${line.threshold ? ` (${line.threshold})` : ''}`;
  const parts = [head];
  if (line.note) parts.push(`↳ ${line.note}`);
  if (line.detail?.length) parts.push(codeBlock(line.detail, limits.fieldValue - head.length - (line.note?.length ?? 0) - 8));
  const value = truncate(parts.join('\n'), limits.fieldValue);
  const field: EmbedField = { name: truncate(`${statusSymbol(line.status)} ${line.label}`, limits.fieldName), value };
  if (!value.includes('\n') && value.length <= inlineValueLength) field.inline = true;
  return field;
}

function noticeBody(message: Notice): Omit<DiscordMessageBody, 'components'> {
  const head = `${noticePrefix[message.tone]}${message.text}`;
  const lines = message.preformatted === undefined ? [] : message.preformatted.split('\n');
  const content = lines.length ? `${head}\n${codeBlock(lines, Number.POSITIVE_INFINITY)}` : head;
  if (content.length <= limits.content) return { content, embeds: [] };
  const title = truncate(head, limits.title);
  const rest = head.length > limits.title ? `${head}\n` : '';
  const description = lines.length ? `${rest}${codeBlock(lines, limits.description - rest.length)}` : truncate(head, limits.description);
  return { content: '', embeds: [{ title, description, color: noticeColours[message.tone] }] };
}

/** Lines as a code block of at most `max` characters, ending in "… N more lines" when cut. */
function codeBlock(lines: readonly string[], max: number): string {
  const safe = lines.map((line) => line.replaceAll('```', '`\u200b``'));
  const whole = `\`\`\`\n${safe.join('\n')}\n\`\`\``;
  if (whole.length <= max) return whole;
  const kept: string[] = [];
  let size = 8 + 30;
  for (const line of safe) {
    if (size + line.length + 1 > max) break;
    kept.push(line);
    size += line.length + 1;
  }
  const more = safe.length - kept.length;
  return `\`\`\`\n${kept.join('\n')}\n\`\`\`\n… ${more} more line${more === 1 ? '' : 's'}`;
}

/** The sections' links as message buttons (Discord has no buttons inside an embed), each naming its section. */
function sectionLinks(report: Report): LinkButton[] {
  return report.sections.flatMap((section) => (section.links ?? []).map((link) => ({ label: `${link.label} · ${section.title}`, url: link.url })));
}

/**
 * The message's buttons, five to a row: the report's own first (commands and links), then each line's in one row
 * of its own when the row in progress has no room for them all; `dropped` counts the line buttons beyond the last row.
 */
function buttonRows(buttons: readonly (ReportButton | LinkButton)[], perLine: readonly ReportButton[][], customIdFor: (command: string) => string): { rows: ActionRow[]; dropped: number } {
  const seen = new Set<string>();
  const component = (button: ReportButton | LinkButton): ButtonComponent | LinkButtonComponent | undefined => {
    if ('url' in button) {
      if (seen.has(button.url) || button.url.length > limits.buttonUrl) return undefined;
      seen.add(button.url);
      return { type: 2, style: 5, label: truncate(button.label, limits.buttonLabel), url: button.url };
    }
    const customId = customIdFor(button.command);
    if (seen.has(customId)) return undefined;
    seen.add(customId);
    const style = button.style === 'danger' ? 4 : button.style === 'primary' ? 3 : 2;
    return { type: 2, style, label: truncate(button.label || button.command, limits.buttonLabel), custom_id: customId };
  };
  const flat = buttons.map(component).filter((made) => made !== undefined).slice(0, limits.buttonsPerRow * limits.rowsPerMessage);
  const rows: ActionRow[] = [];
  for (let i = 0; i < flat.length; i += limits.buttonsPerRow) rows.push({ type: 1, components: flat.slice(i, i + limits.buttonsPerRow) });
  let dropped = 0;
  for (const group of perLine) {
    const made = group.map(component).filter((one) => one !== undefined).slice(0, limits.buttonsPerRow);
    const last = rows.at(-1);
    if (last && last.components.length + made.length <= limits.buttonsPerRow) last.components.push(...made);
    else if (rows.length < limits.rowsPerMessage) rows.push({ type: 1, components: made });
    else dropped += made.length;
  }
  return { rows, dropped };
}
