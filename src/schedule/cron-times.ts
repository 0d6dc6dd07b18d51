import type { ScheduledTask } from 'node-cron';
import type { Logger } from 'pino';
import { errorMessage } from '../core/errors.js';

/**
 * The latest time at or before `at` that a cron task fires at, no earlier than `notBefore`; undefined when it
 * fires at none in between. node-cron only looks forward, so this walks back minute by minute (second by second
 * for six-field expressions): callers bound the walk to a window or a period.
 */
export function latestCronTime(task: Pick<ScheduledTask, 'match' | 'getPattern'>, at: Date, notBefore: Date): Date | undefined {
  const stepMs = task.getPattern().trim().split(/\s+/).length === 6 ? 1000 : 60_000;
  for (let time = Math.floor(at.getTime() / stepMs) * stepMs; time >= notBefore.getTime(); time -= stepMs) {
    const candidate = new Date(time);
    if (task.match(candidate)) return candidate;
  }
  return undefined;
}

/** node-cron's logger, into ours: its chatter at debug, its warnings and errors as they are. */
export function cronLogger(logger: Logger) {
  return {
    info: (message: string) => logger.debug({ source: 'node-cron' }, message),
    warn: (message: string) => logger.warn({ source: 'node-cron' }, message),
    error: (message: string | Error, err?: Error) => logger.error({ source: 'node-cron', err: errorMessage(err ?? message) }, String(message)),
    debug: (message: string | Error) => logger.debug({ source: 'node-cron' }, String(message)),
  };
}
