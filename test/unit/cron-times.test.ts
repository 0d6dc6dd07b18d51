import cron, { type ScheduledTask } from 'node-cron';
import { afterEach, describe, expect, it } from 'vitest';
import { latestCronTime } from '../../src/schedule/cron-times.js';

const tasks: ScheduledTask[] = [];
afterEach(async () => {
  await Promise.all(tasks.splice(0).map((task) => task.destroy()));
});

function task(expression: string, timezone: string): ScheduledTask {
  const created = cron.createTask(expression, () => {}, { timezone });
  tasks.push(created);
  return created;
}

describe('the latest cron time before a moment', () => {
  it('is found in the task’s own time zone, at or before the moment', () => {
    const at = new Date('2026-12-01T12:34:56.789Z');
    expect(latestCronTime(task('0 6 * * *', 'Asia/Tokyo'), at, new Date('2026-11-29T00:00:00Z'))?.toISOString()).toBe('2026-11-30T21:00:00.000Z');
    expect(latestCronTime(task('*/5 * * * *', 'UTC'), at, new Date('2026-12-01T00:00:00Z'))?.toISOString()).toBe('2026-12-01T12:30:00.000Z');
    expect(latestCronTime(task('34 12 * * *', 'UTC'), new Date('2026-12-01T12:34:00Z'), new Date('2026-12-01T00:00:00Z'))?.toISOString()).toBe('2026-12-01T12:34:00.000Z');
  });

  it('walks seconds for six-field expressions, and finds nothing before the bound', () => {
    const at = new Date('2026-12-01T12:34:56.789Z');
    expect(latestCronTime(task('*/10 * * * * *', 'UTC'), at, new Date('2026-12-01T12:00:00Z'))?.toISOString()).toBe('2026-12-01T12:34:50.000Z');
    expect(latestCronTime(task('0 6 * * *', 'UTC'), at, new Date('2026-12-01T07:00:00Z'))).toBeUndefined();
  });
});
