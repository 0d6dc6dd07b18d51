import { describe, expect, it } from 'vitest';
import { cronJob, firingTick, latestCronTime } from '../../src/schedule/cron-times.js';

const at = new Date('2026-12-01T12:34:56.789Z');
const iso = (date: Date | undefined) => date?.toISOString();

describe('the latest cron time before a moment', () => {
  it('is found in the job’s own time zone, at or before the moment', () => {
    expect(iso(latestCronTime(cronJob('0 6 * * *', 'Asia/Tokyo'), at, new Date('2026-11-29T00:00:00Z')))).toBe('2026-11-30T21:00:00.000Z');
    expect(iso(latestCronTime(cronJob('*/5 * * * *', 'UTC'), at, new Date('2026-12-01T00:00:00Z')))).toBe('2026-12-01T12:30:00.000Z');
    expect(iso(latestCronTime(cronJob('34 12 * * *', 'UTC'), new Date('2026-12-01T12:34:00Z'), new Date('2026-12-01T00:00:00Z')))).toBe('2026-12-01T12:34:00.000Z');
    expect(iso(latestCronTime(cronJob('34 12 * * *', 'UTC'), new Date('2026-12-01T12:33:59.999Z'), new Date('2026-11-01T00:00:00Z')))).toBe('2026-11-30T12:34:00.000Z');
  });

  it('reads six fields as seconds first, and finds nothing before the bound', () => {
    expect(iso(latestCronTime(cronJob('*/10 * * * * *', 'UTC'), at, new Date('2026-12-01T12:00:00Z')))).toBe('2026-12-01T12:34:50.000Z');
    expect(iso(latestCronTime(cronJob('56 34 12 * * *', 'UTC'), at, new Date('2026-12-01T12:00:00Z')))).toBe('2026-12-01T12:34:56.000Z');
    expect(latestCronTime(cronJob('0 6 * * *', 'UTC'), at, new Date('2026-12-01T07:00:00Z'))).toBeUndefined();
  });

  it('goes back weeks and months at once, Sunday being 0 or 7, a day of month and a day of week both restricted meaning both', () => {
    const longAgo = new Date('2020-01-01T00:00:00Z');
    expect(iso(latestCronTime(cronJob('0 7 * * 5', 'UTC'), at, longAgo))).toBe('2026-11-27T07:00:00.000Z');
    expect(iso(latestCronTime(cronJob('0 0 * * 7', 'UTC'), at, longAgo))).toBe('2026-11-29T00:00:00.000Z');
    expect(iso(latestCronTime(cronJob('0 0 * * 0', 'UTC'), at, longAgo))).toBe('2026-11-29T00:00:00.000Z');
    expect(iso(latestCronTime(cronJob('0 0 13 * 5', 'UTC'), at, longAgo))).toBe('2026-11-13T00:00:00.000Z');
    expect(iso(latestCronTime(cronJob('0 0 13 * 5', 'UTC'), new Date('2026-11-12T00:00:00Z'), longAgo))).toBe('2026-03-13T00:00:00.000Z');
  });

  it('is read on this machine’s clock when the job has no time zone', () => {
    const latest = latestCronTime(cronJob('30 6 * * *', undefined), at, new Date(at.getTime() - 2 * 86_400_000))!;
    expect([latest.getHours(), latest.getMinutes(), latest.getSeconds()]).toEqual([6, 30, 0]);
    expect(latest.getTime()).toBeLessThanOrEqual(at.getTime());
    expect(at.getTime() - latest.getTime()).toBeLessThan(86_400_000 + 3_600_000);
  });
});

describe('a job with a time zone', () => {
  it('fires at that zone’s wall time, across its daylight-saving change', () => {
    const job = cronJob('0 9 * * *', 'America/New_York');
    expect(job.nextRuns(3, new Date('2026-03-07T00:00:00Z')).map((run) => run.toISOString())).toEqual([
      '2026-03-07T14:00:00.000Z',
      '2026-03-08T13:00:00.000Z',
      '2026-03-09T13:00:00.000Z',
    ]);
    expect(cronJob('0 2 * * 0', 'Europe/Berlin').nextRuns(1, new Date('2026-12-01T00:00:00Z')).map((run) => run.toISOString())).toEqual(['2026-12-06T01:00:00.000Z']);
  });
});

describe('the tick a firing job runs for', () => {
  it('is the scheduled second, however late the timer fired', () => {
    const job = cronJob('*/5 * * * *', 'UTC');
    const firedAt = (moment: string) => ({ previousRuns: job.previousRuns.bind(job), currentRun: () => new Date(moment) });
    expect(iso(firingTick(firedAt('2026-12-01T12:35:00.004Z')))).toBe('2026-12-01T12:35:00.000Z');
    expect(iso(firingTick(firedAt('2026-12-01T12:36:20.000Z')))).toBe('2026-12-01T12:35:00.000Z');
  });
});
