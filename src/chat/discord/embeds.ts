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
  const components = buttonRows(shown.buttons ?? [], shown.links ?? [], options.customIdFor ?? ((command) => command));
  if (shown.kind === 'notice') {
    const body = { ...noticeBody(shown), components };
    return [withLocalTimes(shown.mentions?.length ? mentioning(body, shown.mentions) : body)];
  }
  const pages = paginateReport(shown, (page) => fitsOneMessage(pageBody(shown, page)));
  return pages.map((page) => withLocalTimes({ ...pageBody(shown, page), components: page.index === 0 ? components : [] }));
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

/** Command buttons, then link-style buttons (a URL over Discord's limit is left out rather than cut), at most five rows of five. */
function buttonRows(buttons: readonly ReportButton[], links: readonly LinkButton[], customIdFor: (command: string) => string): ActionRow[] {
  const seen = new Set<string>();
  const components: (ButtonComponent | LinkButtonComponent)[] = [];
  for (const button of buttons) {
    const customId = customIdFor(button.command);
    if (seen.has(customId) || components.length >= limits.buttonsPerRow * limits.rowsPerMessage) continue;
    seen.add(customId);
    const style = button.style === 'danger' ? 4 : button.style === 'primary' ? 3 : 2;
    components.push({ type: 2, style, label: truncate(button.label || button.command, limits.buttonLabel), custom_id: customId });
  }
  for (const link of links) {
    if (link.url.length > limits.buttonUrl || components.length >= limits.buttonsPerRow * limits.rowsPerMessage) continue;
    components.push({ type: 2, style: 5, label: truncate(link.label, limits.buttonLabel), url: link.url });
  }
  const rows: ActionRow[] = [];
  for (let i = 0; i < components.length; i += limits.buttonsPerRow) rows.push({ type: 1, components: components.slice(i, i + limits.buttonsPerRow) });
  return rows;
}
