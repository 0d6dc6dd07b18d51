import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import { chatAdapters } from '../chat/index.js';
import { userText } from '../core/user-text.js';

/** Log settings after the config is resolved. */
export interface LoggerOptions {
  level: string;
  /** JSON lines, or human-readable lines for a person at a terminal. */
  pretty: boolean;
  /** Where lines go; standard error by default, so the terminal chat keeps standard output. */
  destination?: NodeJS.WritableStream;
}

/** Keys whose values are secrets wherever they appear in a log record; each chat platform adds its own. */
export const redactedPaths = [
  ...new Set([
    'token',
    'password',
    'secret',
    '*.token',
    '*.password',
    '*.secret',
    '*.authorization',
    '*.headers.authorization',
    'config.alerts.intake.token',
    'alerts.intake.token',
    'intake.token',
    ...chatAdapters.flatMap((adapter) => adapter.redactPaths),
  ]),
];

/** Keys whose values are what a user typed wherever they appear in a log record: written as `userText` shows them. */
export const userTextKeys = ['text', 'command'] as const;

const userTextSerializers = Object.fromEntries(userTextKeys.map((key) => [key, (value: unknown) => (typeof value === 'string' ? userText(value) : value)]));

/**
 * Creates the process logger: pino with secrets redacted and typed text cut and escaped. JSON lines carry
 * `level` as a word (`info`, `error`) and `time` as ISO 8601 UTC, as Loki, Elasticsearch and people read them.
 */
export function createLogger(options: LoggerOptions): Logger {
  const base = { level: options.level, redact: { paths: redactedPaths, censor: '[redacted]' }, serializers: userTextSerializers, base: { app: 'maintbot' } };
  if (options.pretty) {
    const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
    return pino(base, pretty({ destination: 2, sync: true, colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname,app' }));
  }
  const json = { ...base, formatters: { level: (label: string) => ({ level: label }) }, timestamp: pino.stdTimeFunctions.isoTime };
  return pino(json, options.destination ?? pino.destination({ dest: 2, sync: true }));
}
