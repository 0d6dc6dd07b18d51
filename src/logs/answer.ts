import type { LogEntry } from '../core/logs.js';
import { notice, type Notice } from '../core/report.js';
import { timeText } from '../core/time.js';
import { formatSeconds } from '../render/units.js';
import { logLevels } from './levels.js';
import type { LogSummary } from './summary.js';

/**
 * How many characters of log lines one answer shows: what Discord's 4096-character embed description
 * leaves beside the summary text, so every platform shows the newest lines whole (Slack takes more).
 */
export const shownLinesBudget = 2_400;

/** The longest line shown; longer ones end in `…`. */
export const shownLineMax = 240;

/** What the answer is about. */
export interface LogsAnswerContext {
  subject: string;
  sinceMs: number;
  grep?: string;
  /** True when the source had more lines in the window than were read. */
  capped: boolean;
  readLimit: number;
  /** The source does not tell standard error apart: the answer says nothing of it. */
  mixedStreams?: boolean;
}

/** A line as shown in the code block: its UTC time, `E` for standard error, the text cut at `shownLineMax`. */
export function shownLine(entry: LogEntry): string {
  const time = entry.at ? entry.at.toISOString().slice(11, 19) : '--:--:--';
  const text = entry.text.length > shownLineMax ? `${entry.text.slice(0, shownLineMax - 1)}…` : entry.text;
  return `${time} ${entry.stream === 'stderr' ? 'E' : ' '} ${entry.container ? `[${entry.container}] ` : ''}${text}`;
}

/** The newest lines that fit `budget` characters, oldest first, and how many older ones were left out. */
export function newestThatFit(lines: readonly string[], budget = shownLinesBudget): { lines: string[]; leftOut: number } {
  const kept: string[] = [];
  let used = 0;
  for (let index = lines.length - 1; index >= 0; index--) {
    const cost = lines[index]!.length + 1;
    if (used + cost > budget) break;
    kept.unshift(lines[index]!);
    used += cost;
  }
  return { lines: kept, leftOut: lines.length - kept.length };
}

/** The summary sentence, the counts by level, the most repeated errors, and the last lines in a code block. */
export function logsAnswer(context: LogsAnswerContext, summary: LogSummary, last: readonly LogEntry[]): Notice {
  const window = `the last ${formatSeconds(context.sinceMs / 1000)}`;
  const matching = context.grep === undefined ? '' : ` matching /${context.grep}/i`;
  if (summary.total === 0) return notice('info', `No lines${matching} from ${context.subject} in ${window}.`);
  const span = summary.first && summary.last ? `, from ${timeText(summary.first)} to ${timeText(summary.last)}` : '';
  const capped = context.capped ? ` (the newest ${context.readLimit}; older lines in the window were not read)` : '';
  const text = [`Logs of ${context.subject}, ${window}${matching}: ${plural(summary.total, 'line')}${capped}${span}.`, levelsLine(summary, context.mixedStreams === true)];
  if (summary.topErrors.length > 0) {
    text.push('Most repeated errors:', ...summary.topErrors.map((error) => `  ${error.count}× ${error.message}`));
  }
  const { lines, leftOut } = newestThatFit(last.map(shownLine));
  const older = summary.total - lines.length;
  text.push(`Last ${plural(lines.length, 'line')}${leftOut > 0 ? ` (${leftOut} more of the asked-for lines do not fit one message)` : older > 0 ? ` of ${summary.total}` : ''} (${context.mixedStreams ? '' : 'E: standard error, '}times UTC):`);
  return notice('info', text.join('\n'), lines.join('\n'));
}

function levelsLine(summary: LogSummary, mixedStreams: boolean): string {
  const counts = logLevels.filter((level) => summary.levels[level] > 0).map((level) => `${level.toUpperCase()} ${summary.levels[level]}`);
  if (summary.unleveled > 0) counts.push(`no level ${summary.unleveled}`);
  return `By level: ${counts.join(' · ')}${mixedStreams ? '' : `; ${summary.stderr} on standard error`}.`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
