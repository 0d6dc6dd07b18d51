import type { types } from '@slack/bolt';
import type { ClosedAs, Mention, Message, Notice, Report, ReportButton, ReportLine, ReportSection } from '../../core/report.js';
import type { LineStatus } from '../../core/status.js';
import { codeTimesInUtc } from '../../core/time.js';
import { contextLine, renderText } from '../../render/text.js';
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

/** How a report is rendered. */
export interface SlackRenderOptions {
  /** The command named at the end of a report that had to be cut. */
  moreCommand?: string;
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

/** Renders any neutral message as Block Kit within Slack's limits, with a plain-text fallback. */
export function renderSlackMessage(message: Message, options: SlackRenderOptions = {}): SlackMessage {
  const shown = codeTimesInUtc(message);
  const blocks = shown.kind === 'report' ? reportBlocks(shown, options) : noticeBlocks(shown);
  const text = shown.kind === 'notice' && shown.mentions?.length ? `${mentionsText(shown.mentions)} ${renderText(shown)}` : renderText(shown);
  return { text: clip(text, slackLimits.fallbackText), blocks: withLocalTimes(blocks) };
}

function reportBlocks(report: Report, options: SlackRenderOptions): SlackBlock[] {
  const mark = report.closed ? closedEmoji[report.closed] : emoji[report.status];
  const head: SlackBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: clip(`${mark} ${report.title}`, slackLimits.headerText), emoji: true } },
  ];
  const statusWord = `*${(report.closed ?? report.status).toUpperCase()}*`;
  head.push(mrkdwnSection(report.summary ? `${statusWord} · ${escapeMrkdwn(report.summary)}` : statusWord));
  const tail: SlackBlock[] = [];
  const context = contextLine(report);
  if (context) tail.push(contextBlock([escapeMrkdwn(context)]));
  tail.push(...actionBlocks(report.buttons ?? []));

  const budget = slackLimits.blocksPerMessage - head.length - tail.length - 1;
  const body: SlackBlock[] = [];
  let shownLines = 0;
  let cut = false;
  for (const unit of report.sections.flatMap(sectionUnits)) {
    if (body.length + unit.blocks.length > budget) {
      cut = true;
      break;
    }
    body.push(...unit.blocks);
    shownLines += unit.lines;
  }
  if (cut) {
    const total = report.sections.reduce((sum, section) => sum + section.lines.length, 0);
    const more = options.moreCommand ?? '/maint health --verbose';
    body.push(contextBlock([`… ${total - shownLines} more lines — ${escapeMrkdwn(more)}`]));
  }
  return [...head, ...body, ...tail];
}

interface BlockUnit {
  blocks: SlackBlock[];
  /** How many report lines these blocks show. */
  lines: number;
}

function sectionUnits(section: ReportSection): BlockUnit[] {
  const title = `${emoji[section.status]} *${escapeMrkdwn(section.title)}*`;
  const chunks = chunk(section.lines, slackLimits.fieldsPerSection);
  const units: BlockUnit[] = [];
  if (chunks.length === 0) units.push({ blocks: [mrkdwnSection(title)], lines: 0 });
  chunks.forEach((lines, index) => {
    const fields = lines.map((line) => ({ type: 'mrkdwn' as const, text: clip(fieldText(line), slackLimits.fieldText) }));
    const block: SlackBlock = index === 0 ? { type: 'section', text: mrkdwn(title), fields } : { type: 'section', fields };
    const blocks: SlackBlock[] = [block];
    const notes = lines.filter((line) => line.note || line.detail?.length).map(noteText);
    if (notes.length > 0) blocks.push(contextBlock(notes));
    units.push({ blocks, lines: lines.length });
  });
  if (section.foldedOk) {
    units.push({ blocks: [contextBlock([`${emoji.ok} ${section.foldedOk} more ok — add --verbose to see them`])], lines: 0 });
  }
  return units;
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
  const mentions = message.mentions?.length ? `${mentionsText(message.mentions)} ` : '';
  const blocks: SlackBlock[] = [mrkdwnSection(`${mentions}${noticeEmoji[message.tone]}${escapeMrkdwn(message.text)}`)];
  const actions = actionBlocks(message.buttons ?? []);
  if (message.preformatted) {
    const room = slackLimits.blocksPerMessage - blocks.length - actions.length;
    const chunks = chunkLines(message.preformatted.split('\n'), slackLimits.textObject - 8);
    const shown = chunks.length > room ? [...chunks.slice(0, room - 1), '… (cut: too long for one Slack message)'] : chunks;
    for (const text of shown) blocks.push(mrkdwnSection(codeBlock(text, slackLimits.textObject)));
  }
  return [...blocks, ...actions];
}

/** `<!subteam^S…>` for a user group, `<@U…>` for a user: Slack notifies them. */
function mentionsText(mentions: readonly Mention[]): string {
  return mentions.map((mention) => (mention.kind === 'group' ? `<!subteam^${mention.id}>` : `<@${mention.id}>`)).join(' ');
}

function actionBlocks(buttons: readonly ReportButton[]): SlackBlock[] {
  return chunk(buttons, slackLimits.elementsPerActions).map((group, groupIndex) => ({
    type: 'actions',
    elements: group.map((button, index) => buttonElement(button, groupIndex * slackLimits.elementsPerActions + index)),
  }));
}

function buttonElement(button: ReportButton, index: number): types.Button {
  const element: types.Button = {
    type: 'button',
    action_id: `maint-button-${index}`,
    text: { type: 'plain_text', text: clip(button.label, slackLimits.buttonText), emoji: true },
    value: clip(button.command, slackLimits.buttonValue),
  };
  if (button.style) element.style = button.style;
  return element;
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
