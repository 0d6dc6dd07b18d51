import { z } from 'zod';

/** True when `zone` is an IANA time zone this Node.js knows. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The time zone of this machine, the default of schedules without one. */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** An IANA time zone in the config. */
export const timeZoneSchema = z.string().refine(isTimeZone, 'expected an IANA time zone such as Europe/Berlin or UTC');

/** `at` as a wall-clock time in `timeZone`, e.g. "Tue 2026-12-01 09:00", for schedules and maintenance windows. */
export function localDateTime(at: Date, timeZone: string): string {
  const part = localParts(at, timeZone);
  return `${part('weekday')} ${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

/** `at` as hours and minutes in `timeZone`, e.g. "03:00". */
export function localClock(at: Date, timeZone: string): string {
  const part = localParts(at, timeZone);
  return `${part('hour')}:${part('minute')}`;
}

function localParts(at: Date, timeZone: string): (type: string) => string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', weekday: 'short' }).formatToParts(at);
  return (type) => parts.find((item) => item.type === type)?.value ?? '';
}
