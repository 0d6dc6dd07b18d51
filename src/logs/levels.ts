/** The levels a log line is counted under, most severe first. */
export const logLevels = ['fatal', 'critical', 'error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof logLevels)[number];

/** The levels whose lines are errors, for the most repeated messages. */
export const errorLevels: ReadonlySet<LogLevel> = new Set(['fatal', 'critical', 'error']);

const byWord: Record<string, LogLevel> = {
  fatal: 'fatal', panic: 'fatal', emerg: 'fatal', emergency: 'fatal',
  critical: 'critical', crit: 'critical', alert: 'critical',
  error: 'error', err: 'error', severe: 'error', eror: 'error',
  warning: 'warn', warn: 'warn', wrn: 'warn',
  info: 'info', notice: 'info', inf: 'info', information: 'info',
  debug: 'debug', dbg: 'debug', trace: 'debug', verbose: 'debug',
};

/** pino and bunyan write levels as numbers. */
const byNumber: Record<string, LogLevel> = { '10': 'debug', '20': 'debug', '30': 'info', '40': 'warn', '50': 'error', '60': 'fatal' };

const levelField = /["']?\b(?:level|lvl|severity|loglevel)["']?\s*[:=]\s*["']?([A-Za-z]+|\d{2})\b/i;
const upperWord = /(?<![A-Za-z0-9_-])(FATAL|PANIC|EMERG|CRITICAL|CRIT|ALERT|ERROR|ERR|SEVERE|WARNING|WARN|NOTICE|INFO|DEBUG|TRACE)(?![A-Za-z0-9_-])/;
const bracketedWord = /[[<(](fatal|panic|emerg|crit|critical|alert|error|err|warn|warning|notice|info|debug|trace)[\]>)]/i;

/**
 * The level of a line, as common formats write it: a `level=`/`"level":` field (words or pino numbers),
 * else the first upper-case level word (`ERROR`, `WARN`…) or a bracketed one (`[error]`, nginx). Plain
 * lower-case words in prose ("no error") do not count. Undefined when the line names no level.
 */
export function detectLevel(text: string): LogLevel | undefined {
  const field = levelField.exec(text)?.[1];
  if (field !== undefined) {
    const level = byNumber[field] ?? byWord[field.toLowerCase()];
    if (level) return level;
  }
  const word = upperWord.exec(text)?.[1] ?? bracketedWord.exec(text)?.[1];
  return word === undefined ? undefined : byWord[word.toLowerCase()];
}
