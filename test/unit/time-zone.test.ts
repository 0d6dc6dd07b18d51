import { describe, expect, it } from 'vitest';
import { localClock, localDateTime, wallClock } from '../../src/core/time-zone.js';
import { inQuietHours } from '../../src/outbound/quiet-hours.js';

const at = new Date('2026-12-01T12:34:56.789Z');

describe('wall-clock times', () => {
  it('are read in a named zone with Intl', () => {
    expect(localDateTime(at, 'Asia/Tokyo')).toBe('Tue 2026-12-01 21:34');
    expect(localDateTime(new Date('2026-12-05T15:00:00Z'), 'Asia/Tokyo')).toBe('Sun 2026-12-06 00:00');
    expect(localClock(at, 'America/New_York')).toBe('07:34');
  });

  it('are read on this machine’s clock when the zone is left out', () => {
    const pad = (value: number) => String(value).padStart(2, '0');
    expect(wallClock(at, undefined)).toEqual({ year: at.getFullYear(), month: at.getMonth() + 1, day: at.getDate(), weekday: at.getDay(), hour: at.getHours(), minute: at.getMinutes() });
    expect(localClock(at, undefined)).toBe(`${pad(at.getHours())}:${pad(at.getMinutes())}`);
    expect(localDateTime(at, undefined)).toMatch(new RegExp(`^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) ${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())} ${pad(at.getHours())}:${pad(at.getMinutes())}$`));
  });

  it('decide quiet hours in the channel’s zone, else the schedule’s, else local time', () => {
    const night = { from: '22:00', to: '07:00' };
    expect(inQuietHours({ ...night, timezone: 'Australia/Sydney' }, at, 'UTC')).toBe(true);
    expect(inQuietHours(night, at, 'Australia/Sydney')).toBe(true);
    expect(inQuietHours(night, at, 'UTC')).toBe(false);
    const localHour = at.getHours();
    expect(inQuietHours(night, at, undefined)).toBe(localHour >= 22 || localHour < 7);
  });
});
