import type { types } from '@slack/bolt';
import type { ClosedAs, LinkButton, Mention, Message, Notice, Report, ReportButton, ReportLine, ReportSection } from '../../core/report.js';
import type { LineStatus } from '../../core/status.js';
import { codeTimesInUtc } from '../../core/time.js';
import { followUpHeading, namedHeading, packedCount, packedHint, packedNames, pageNotes, paginateReport, problemHeadline, unnamedNote, type ReportPage } from '../../render/report-pages.js';
import { renderText } from '../../render/text.js';
import { slackLimits } from './limits.js';
import { withLocalTimes } from './local-times.js';
import { chunkLines, clip, codeBlock, escapeMrkdwn } from './mrkdwn.js';

/** One Block Kit block. */
export type SlackBlock = types.KnownBlock;

/** A message as Slack takes it: blocks, and the plain text shown in notifications and by screen readers. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

const emoji: Record<LineStatus, string> = {
  ok: ':white_check_mark:',
  warn: ':warning:',
  crit: ':red_circle:',
  unknown: ':grey_question:',
  skipped: ':heavy_minus_sign:',
};

const closedEmoji: Record<ClosedAs, string> = { rejected: ':no_entry:', expired: ':hourglass:', cancelled: ':no_entry_sign:' };

const noticeEmoji: Record<Notice['tone'], string> = { info: '', progress: ':hourglass_flowing_sand: ', error: ':x: ' };

/** The emoji shown for a status in Slack. */
export function statusEmoji(status: LineStatus): string {
  return emoji[status];
}

/** Renders any neutral message as Block Kit within Slack's limits, with a plain-text fallback; a long report shows its first message. */
export function renderSlackMessage(message: Message): SlackMessage {
  return renderSlackMessages(message)[0]!;
}

/**
 * Renders a message as one or more Slack messages, each within Slack's limits: a report too long for one
 * is split (see `paginateReport`), the first naming every problem, the rest to be posted in its thread.
 * Moments become `<!date^…>` where Slack renders them.
 */
export function renderSlackMessages(message: Message): SlackMessage[] {
  const shown = codeTimesInUtc(message);
  if (shown.kind === 'notice') {
    const text = `${mentionsPrefix(shown.mentions)}${renderText(shown)}`;
    return [{ text: clip(text, slackLimits.fallbackText), blocks: withLocalTimes(noticeBlocks(shown)) }];
  }
  const pages = paginateReport(shown, (page) => pageBlocks(shown, page).length <= slackLimits.blocksPerMessage);
  return pages.map((page) => ({
    text: clip(page.index === 0 ? `${mentionsPrefix(shown.mentions)}${renderText(shown)}` : followUpHeading(shown, page), slackLimits.fallbackText),
    blocks: withLocalTimes(pageBlocks(shown, page)),
  }));
}

const packedNamesMax = 1500;

function pageBlocks(report: Report, page: ReportPage): SlackBlock[] {
  const head: SlackBlock[] = [];
  if (page.index === 0) {
    const mark = report.closed ? closedEmoji[report.closed] : emoji[report.status];
    head.push({ type: 'header', text: { type: 'plain_text', text: clip(`${mark} ${report.title}`, slackLimits.headerText), emoji: true } });
    const statusWord = `*${(report.closed ?? report.status).toUpperCase()}*`;
    head.push(mrkdwnSection(`${mentionsPrefix(report.mentions)}${report.summary ? `${statusWord} · ${escapeMrkdwn(report.summary)}` : statusWord}`));
  } else {
    head.push(contextBlock([`*${escapeMrkdwn(followUpHeading(report, page))}*`]));
  }
  const body = page.sections.flatMap((entry) => sectionBlocks(entry.continued ? { ...entry.section, title: `${entry.section.title} (continued)` } : entry.section));
  const named = page.named.map((section) => `${emoji[section.status]} *${escapeMrkdwn(section.title)}* — ${escapeMrkdwn(problemHeadline(section))}`);
  if (named.length > 0) named.unshift(`_${namedHeading}:_`);
  for (const text of chunkLines(named, slackLimits.textObject)) body.push(mrkdwnSection(text));
  const unnamed = unnamedNote(page);
  if (unnamed) body.push(contextBlock([escapeMrkdwn(unnamed)]));
  if (page.packed.length > 0) {
    const hint = packedHint(page.packed);
    body.push(contextBlock([`${emoji.ok} ${escapeMrkdwn(`${packedCount(page.packed)}: ${packedNames(page.packed, packedNamesMax)}`)}${hint ? ` · ${escapeMrkdwn(hint)}` : ''}`]));
  }
  const notes = pageNotes(report, page);
  const tail: SlackBlock[] = notes.length > 0 ? [contextBlock([escapeMrkdwn(notes.join(' · '))])] : [];
  if (page.index === 0) tail.push(...actionBlocks([...(report.buttons ?? []), ...(report.links ?? [])]));
  return [...head, ...body, ...tail];
}

/** The blocks of one section: its title with up to 10 lines as fields per block, their notes as context. */
function sectionBlocks(section: ReportSection): SlackBlock[] {
  const title = `${emoji[section.status]} *${escapeMrkdwn(section.title)}*`;
  const chunks = chunk(section.lines, slackLimits.fieldsPerSection);
  const blocks: SlackBlock[] = [];
  if (chunks.length === 0) blocks.push(mrkdwnSection(title));
  chunks.forEach((lines, index) => {
    const fields = lines.map((line) => ({ type: 'mrkdwn' as const, text: clip(fieldText(line), slackLimits.fieldText) }));
    blocks.push(index === 0 ? { type: 'section', text: mrkdwn(title), fields } : { type: 'section', fields });
    const notes = lines.filter((line) => line.note || line.detail?.length).map(noteText);
    if (notes.length > 0) blocks.push(contextBlock(notes));
    blocks.push(...actionBlocks(lines.flatMap((line) => line.buttons ?? [])));
  });
  if (section.foldedOk) blocks.push(contextBlock([`${emoji.ok} ${section.foldedOk} more ok — add --verbose to see them`]));
  return withSectionLinks(blocks, section.links ?? []);
}

/** One link goes beside the section's title (its accessory); more go in an actions block under the section. */
function withSectionLinks(blocks: SlackBlock[], links: readonly LinkButton[]): SlackBlock[] {
  const [first] = blocks;
  if (links.length === 1 && first?.type === 'section') return [{ ...first, accessory: linkElement(links[0]!, 'maint-link-section') }, ...blocks.slice(1)];
  return links.length === 0 ? blocks : [...blocks, ...actionBlocks(links)];
}

function fieldText(line: ReportLine): string {
  const threshold = line.threshold ? `\n_${escapeMrkdwn(line.threshold)}_` : '';
  return `${emoji[line.status]} *${escapeMrkdwn(line.label)}*\n${escapeMrkdwn(line.value)}${threshold}`;
}

function noteText(line: ReportLine): string {
  const parts = [`*${escapeMrkdwn(line.label)}*${line.note ? `: ${escapeMrkdwn(line.note)}` : ''}`];
  for (const detail of line.detail ?? []) parts.push(`• ${escapeMrkdwn(detail)}`);
  return parts.join('\n');
}

function noticeBlocks(message: Notice): SlackBlock[] {
  const blocks: SlackBlock[] = [mrkdwnSection(`${mentionsPrefix(message.mentions)}${noticeEmoji[message.tone]}${escapeMrkdwn(message.text)}`)];
  const actions = actionBlocks([...(message.buttons ?? []), ...(message.links ?? [])]);
  if (message.preformatted) {
    const room = slackLimits.blocksPerMessage - blocks.length - actions.length;
    const chunks = chunkLines(message.preformatted.split('\n'), slackLimits.textObject - 8);
    const shown = chunks.length > room ? [...chunks.slice(0, room - 1), '… (cut: too long for one Slack message)'] : chunks;
    for (const text of shown) blocks.push(mrkdwnSection(codeBlock(text, slackLimits.textObject)));
  }
  return [...blocks, ...actions];
}

/** `<!subteam^S…>` for a user group, `<@U…>` for a user, and a space: Slack notifies them. Empty without mentions. */
function mentionsPrefix(mentions: readonly Mention[] | undefined): string {
  if (!mentions?.length) return '';
  return `${mentions.map((mention) => (mention.kind === 'group' ? `<!subteam^${mention.id}>` : `<@${mention.id}>`)).join(' ')} `;
}

/** A command button or a link button, as one actions block holds them. */
type AnyButton = ReportButton | LinkButton;

/** The buttons in actions blocks; a link whose URL is over Slack's limit is left out rather than cut (a cut URL opens the wrong page). */
function actionBlocks(buttons: readonly AnyButton[]): SlackBlock[] {
  const shown = buttons.filter((button) => !('url' in button) || button.url.length <= slackLimits.buttonUrl);
  return chunk(shown, slackLimits.elementsPerActions).map((group, groupIndex) => ({
    type: 'actions',
    elements: group.map((button, index) => buttonElement(button, groupIndex * slackLimits.elementsPerActions + index)),
  }));
}

function buttonElement(button: AnyButton, index: number): types.Button {
  if ('url' in button) return linkElement(button, `maint-link-${index}`);
  const element: types.Button = {
    type: 'button',
    action_id: `maint-button-${index}`,
    text: { type: 'plain_text', text: clip(button.label, slackLimits.buttonText), emoji: true },
    value: clip(button.command, slackLimits.buttonValue),
  };
  if (button.style) element.style = button.style;
  return element;
}

/** A button with `url`: Slack opens the page; the click's block_actions carries no value, so it runs nothing. */
function linkElement(link: LinkButton, actionId: string): types.Button {
  return { type: 'button', action_id: actionId, text: { type: 'plain_text', text: clip(link.label, slackLimits.buttonText), emoji: true }, url: link.url };
}

function mrkdwn(text: string): types.MrkdwnElement {
  return { type: 'mrkdwn', text: clip(text, slackLimits.textObject) };
}

function mrkdwnSection(text: string): SlackBlock {
  return { type: 'section', text: mrkdwn(text) };
}

function contextBlock(texts: readonly string[]): SlackBlock {
  return { type: 'context', elements: texts.slice(0, slackLimits.elementsPerContext).map(mrkdwn) };
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
}
