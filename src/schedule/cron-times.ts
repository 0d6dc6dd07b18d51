import { Cron, type CronOptions } from 'croner';

/**
 * How maintbot reads a cron expression, the same everywhere (config check, schedules, maintenance windows): 5
 * fields, or 6 with seconds first; day of week 0 or 7 for Sunday; a day of month and a day of week both
 * restricted must both match (as node-cron, which ran the schedules before croner, read them).
 */
const cronReading = { mode: '5-or-6-parts', domAndDow: true } as const satisfies CronOptions;

/** What a cron job is built with besides its expression and zone. */
export type CronJobOptions = Pick<CronOptions, 'protect' | 'catch'>;

/**
 * A croner job for `expression` in `timeZone`; `undefined` is this machine's local time, read with Date's
 * local methods (no Intl, so no ICU data is mapped). It answers next and previous runs at once and keeps
 * no timer until `schedule(fn)` is called. Throws croner's error for an expression it does not accept.
 */
export function cronJob(expression: string, timeZone: string | undefined, options: CronJobOptions = {}): Cron {
  return new Cron(expression, { ...cronReading, ...options, ...(timeZone === undefined ? {} : { timezone: timeZone }) });
}

/** The tick a job is running for, called from its callback: croner gives the moment it fired, a little after the scheduled second (more under load). */
export function firingTick(job: Pick<Cron, 'previousRuns' | 'currentRun'>): Date {
  const fired = job.currentRun() ?? new Date();
  return latestCronTime(job, fired, new Date(0)) ?? fired;
}

/** The latest time at or before `at` that `job` fires at, no earlier than `notBefore`; undefined when it fires at none in between. */
export function latestCronTime(job: Pick<Cron, 'previousRuns'>, at: Date, notBefore: Date): Date | undefined {
  const [latest] = job.previousRuns(1, new Date(at.getTime() + 1));
  return latest && latest.getTime() >= notBefore.getTime() ? latest : undefined;
}
