import { z } from 'zod';
import { timeZoneSchema, wallClock } from '../core/time-zone.js';

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a time of day such as 22:00');

/** A channel's `quiet_hours:`: when only critical messages are posted there. */
export const quietHoursSchema = z
  .object({
    from: clockTime,
    to: clockTime,
    timezone: timeZoneSchema.optional().describe("defaults to the schedule's time zone"),
  })
  .strict();

/** Quiet hours of one channel. */
export type QuietHours = z.output<typeof quietHoursSchema>;

/** Minutes since midnight of `at` in `timeZone` (`undefined`: local). */
function minuteOfDay(at: Date, timeZone: string | undefined): number {
  const { hour, minute } = wallClock(at, timeZone);
  return hour * 60 + minute;
}

function minutes(clock: string): number {
  const [hours, mins] = clock.split(':').map(Number);
  return (hours ?? 0) * 60 + (mins ?? 0);
}

/** True when `at` falls inside the quiet hours (which may span midnight, e.g. 22:00–07:00); `fallbackZone` undefined is local time. */
export function inQuietHours(quiet: QuietHours | undefined, at: Date, fallbackZone: string | undefined): boolean {
  if (!quiet) return false;
  const now = minuteOfDay(at, quiet.timezone ?? fallbackZone);
  const from = minutes(quiet.from);
  const to = minutes(quiet.to);
  if (from === to) return false;
  return from < to ? now >= from && now < to : now >= from || now < to;
}
