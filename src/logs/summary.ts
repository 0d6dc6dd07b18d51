import type { LogEntry } from '../core/logs.js';
import { detectLevel, errorLevels, logLevels, type LogLevel } from './levels.js';

/** A repeated error message, its ids and numbers normalised away, with how often it came. */
export interface RepeatedError {
  message: string;
  count: number;
}

/** What a set of log lines says at a glance. */
export interface LogSummary {
  total: number;
  /** Lines per level; lines naming no level are `unleveled`. */
  levels: Record<LogLevel, number>;
  unleveled: number;
  /** Lines written to standard error, whatever their level. */
  stderr: number;
  /** The most repeated error, critical and fatal messages, most frequent first. */
  topErrors: RepeatedError[];
  first?: Date;
  last?: Date;
}

const leadingTime = /^[[(]?\d{2,4}[-/.]\d{2}[-/.]\d{2,4}[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?[\])]?\s*|^[[(]?\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?[\])]?\s*/;
const levelWord = /^[[(<]?(?:FATAL|PANIC|EMERG|CRITICAL|CRIT|ALERT|ERROR|ERR|SEVERE)[\])>]?:?\s*/i;
const normalisers: readonly [RegExp, string][] = [
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<id>'],
  [/\b0x[0-9a-f]+\b/gi, '<hex>'],
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/gi, '<id>'],
  [/\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b/g, '<ip>'],
  [/\d+(?:\.\d+)?/g, '<n>'],
  [/\s+/g, ' '],
];
const messageMax = 160;

/** A message with its leading time, level word, ids, addresses and numbers replaced, so repeats group. */
export function normaliseMessage(text: string): string {
  const bare = text.replace(leadingTime, '').replace(levelWord, '');
  const normal = normalisers.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), bare).trim();
  return normal.length > messageMax ? `${normal.slice(0, messageMax - 1)}…` : normal;
}

/** Counts lines by level and stream, groups error messages and finds the first and last time. */
export function summariseLogs(entries: readonly LogEntry[], topCount = 5): LogSummary {
  const levels = Object.fromEntries(logLevels.map((level) => [level, 0])) as Record<LogLevel, number>;
  const errors = new Map<string, number>();
  let unleveled = 0;
  let stderr = 0;
  let first: Date | undefined;
  let last: Date | undefined;
  for (const entry of entries) {
    const level = detectLevel(entry.text);
    if (level === undefined) unleveled += 1;
    else levels[level] += 1;
    if (entry.stream === 'stderr') stderr += 1;
    if (level !== undefined && errorLevels.has(level)) {
      const message = normaliseMessage(entry.text);
      errors.set(message, (errors.get(message) ?? 0) + 1);
    }
    if (entry.at) {
      if (!first || entry.at < first) first = entry.at;
      if (!last || entry.at > last) last = entry.at;
    }
  }
  const topErrors = [...errors]
    .map(([message, count]) => ({ message, count }))
    .sort((a, b) => b.count - a.count || a.message.localeCompare(b.message))
    .slice(0, topCount);
  return { total: entries.length, levels, unleveled, stderr, topErrors, ...(first ? { first } : {}), ...(last ? { last } : {}) };
}
