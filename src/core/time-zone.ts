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

/**
 * The name of this machine's time zone, for text shown to users only: reading it maps ICU's data (several
 * MB resident), so a zone left out of the config stays `undefined` everywhere else.
 */
export function localTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** The name to show for a time zone: the zone itself, or this machine's for `undefined` (local time). */
export function timeZoneName(timeZone: string | undefined): string {
  return timeZone ?? localTimeZone();
}

/** An IANA time zone in the config. */
export const timeZoneSchema = z.string().refine(isTimeZone, 'expected an IANA time zone such as Europe/Berlin or UTC');

/** A moment as a wall clock reads it: month 1–12, weekday 0 (Sunday)–6, hour 0–23. */
export interface WallClock {
  year: number;
  month: number;
  day: number;
  weekday: number;
  hour: number;
  minute: number;
}

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** `at` on the wall clock of `timeZone`; `undefined` is this machine's local time, read without Intl. */
export function wallClock(at: Date, timeZone: string | undefined): WallClock {
  if (timeZone === undefined) {
    return { year: at.getFullYear(), month: at.getMonth() + 1, day: at.getDate(), weekday: at.getDay(), hour: at.getHours(), minute: at.getMinutes() };
  }
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23', weekday: 'short' }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes): string => parts.find((item) => item.type === type)?.value ?? '';
  return { year: Number(part('year')), month: Number(part('month')), day: Number(part('day')), weekday: weekdays.indexOf(part('weekday')), hour: Number(part('hour')), minute: Number(part('minute')) };
}

/** `at` as a wall-clock time in `timeZone` (`undefined`: local), e.g. "Tue 2026-12-01 09:00", for schedules and maintenance windows. */
export function localDateTime(at: Date, timeZone: string | undefined): string {
  const clock = wallClock(at, timeZone);
  return `${weekdays[clock.weekday] ?? ''} ${clock.year}-${pad(clock.month)}-${pad(clock.day)} ${pad(clock.hour)}:${pad(clock.minute)}`;
}

/** `at` as hours and minutes in `timeZone` (`undefined`: local), e.g. "03:00". */
export function localClock(at: Date, timeZone: string | undefined): string {
  const clock = wallClock(at, timeZone);
  return `${pad(clock.hour)}:${pad(clock.minute)}`;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
