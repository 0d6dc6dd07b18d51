import { styleText } from 'node:util';
import type { ClosedAs, LinkButton, Message, Notice, Report, ReportButton, ReportLine, ReportSection } from '../core/report.js';
import type { LineStatus } from '../core/status.js';
import { timesInUtc } from '../core/time.js';
import { formatMilliseconds } from './units.js';

/** How text is rendered: colour only for a terminal that shows it. */
export interface TextRenderOptions {
  colour: boolean;
}

const symbols: Record<LineStatus, string> = { ok: '✔', warn: '▲', crit: '✖', unknown: '?', skipped: '–' };
const colours: Record<LineStatus, Parameters<typeof styleText>[0]> = { ok: 'green', warn: 'yellow', crit: 'red', unknown: 'magenta', skipped: 'gray' };
const closedMarks: Record<ClosedAs, { symbol: string; colour: LineStatus }> = {
  rejected: { symbol: '⊘', colour: 'crit' },
  expired: { symbol: '⌛', colour: 'skipped' },
  cancelled: { symbol: '⊘', colour: 'skipped' },
};

/** The status symbol used in text output and plain-text fallbacks. */
export function statusSymbol(status: LineStatus): string {
  return symbols[status];
}

/** Renders any message as readable plain text (the terminal chat and notification fallbacks), its times in UTC. */
export function renderText(message: Message, options: TextRenderOptions = { colour: false }): string {
  const shown = timesInUtc(message);
  return shown.kind === 'report' ? renderReport(shown, options) : renderNotice(shown, options);
}

function renderNotice(message: Notice, options: TextRenderOptions): string {
  const prefix = message.tone === 'error' ? paint('crit', '✖ ', options) : message.tone === 'progress' ? paint('skipped', '… ', options) : '';
  const parts = [`${prefix}${message.text}`];
  if (message.preformatted) parts.push(indent(message.preformatted, 2));
  if (message.buttons?.length) parts.push(renderButtons(message.buttons));
  if (message.links?.length) parts.push(message.links.map((link) => `  ${linkText(link)}`).join('\n'));
  return parts.join('\n');
}

function renderReport(report: Report, options: TextRenderOptions): string {
  const out: string[] = [];
  const mark = report.closed ? closedMarks[report.closed] : { symbol: symbols[report.status], colour: report.status };
  out.push(`${paint(mark.colour, `${mark.symbol} ${(report.closed ?? report.status).toUpperCase()}`, options)}  ${bold(report.title, options)}`);
  if (report.summary) out.push(`  ${report.summary}`);
  for (const section of report.sections) out.push('', ...renderSection(section, options));
  const context = contextLine(report);
  if (context) out.push('', paint('skipped', context, options));
  if (report.buttons?.length) out.push(renderButtons(report.buttons));
  for (const link of report.links ?? []) out.push(`  ${linkText(link)}`);
  return out.join('\n');
}

function renderSection(section: ReportSection, options: TextRenderOptions): string[] {
  const out = [`${paint(section.status, symbols[section.status], options)} ${bold(section.title, options)}`];
  const labelWidth = Math.max(0, ...section.lines.map((line) => line.label.length));
  const valueWidth = Math.min(40, Math.max(0, ...section.lines.map((line) => line.value.length)));
  for (const line of section.lines) out.push(...renderLine(line, labelWidth, valueWidth, options));
  if (section.foldedOk) out.push(paint('skipped', `  ${symbols.ok} ${section.foldedOk} more ok (--verbose shows them)`, options));
  for (const link of section.links ?? []) out.push(`  ${linkText(link)}`);
  return out;
}

function renderLine(line: ReportLine, labelWidth: number, valueWidth: number, options: TextRenderOptions): string[] {
  const threshold = line.threshold ? `  ${paint('skipped', `(${line.threshold})`, options)}` : '';
  const head = `  ${paint(line.status, symbols[line.status], options)} ${line.label.padEnd(labelWidth)}  ${line.threshold ? line.value.padEnd(valueWidth) : line.value}${threshold}`;
  const out = [head.trimEnd()];
  if (line.note) out.push(`      ${line.note}`);
  for (const detail of line.detail ?? []) out.push(`      ${detail}`);
  if (line.buttons?.length) out.push(`    ${renderButtons(line.buttons)}`);
  return out;
}

/** "asked by alice · 1.2 s": who asked and how long it took. */
export function contextLine(report: Report): string | undefined {
  const parts: string[] = [];
  if (report.context?.requestedBy) parts.push(`asked by ${report.context.requestedBy}`);
  if (report.context?.durationMs !== undefined) parts.push(formatMilliseconds(report.context.durationMs));
  if (report.context?.note) parts.push(report.context.note);
  return parts.length ? parts.join(' · ') : undefined;
}


function renderButtons(buttons: readonly ReportButton[]): string {
  return `  ${buttons.map((button) => `[${button.label}: type ${button.command}]`).join('  ')}`;
}

/** "Docs: https://…": a link button as the terminal shows it. */
function linkText(link: LinkButton): string {
  return `${link.label}: ${link.url}`;
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => (line ? pad + line : line))
    .join('\n');
}

function paint(status: LineStatus, text: string, options: TextRenderOptions): string {
  return options.colour ? styleText(colours[status], text) : text;
}

function bold(text: string, options: TextRenderOptions): string {
  return options.colour ? styleText('bold', text) : text;
}
