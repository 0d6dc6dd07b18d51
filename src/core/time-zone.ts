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
