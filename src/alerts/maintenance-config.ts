import { z } from 'zod';
import { parseDuration } from '../core/duration.js';
import { timeZoneSchema } from '../core/time-zone.js';
import { channelSchema, cronExpression, scheduleName } from '../schedule/schedule-config.js';
import { matchersSchema } from './matchers.js';

const longestWindowMs = 7 * 86_400_000;

const windowDuration = z.string().superRefine((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) ctx.addIssue({ code: 'custom', message: 'expected a duration such as 30m, 2h or 1d' });
  else if (ms < 1000 || ms > longestWindowMs) ctx.addIssue({ code: 'custom', message: 'a maintenance window lasts from 1s to 7d' });
});

const maintenanceWindowSchema = z
  .object({
    name: scheduleName,
    cron: cronExpression.describe('when each window starts'),
    duration: windowDuration.describe('how long each window lasts'),
    timezone: timeZoneSchema.optional().describe("the cron's time zone; this machine's when left out"),
    matchers: matchersSchema.refine((matchers) => matchers.length > 0, 'name at least one matcher, e.g. [host=db-host]'),
    channels: z.array(channelSchema).default([]).describe('told when each window starts and ends'),
  })
  .strict();

/**
 * `maintenance_windows:` in the config: planned work that comes back (a cron start, a duration), during which
 * alerts matching the window's matchers are silenced. Names are unique.
 *
 * @example
 * maintenance_windows:
 *   - { name: db-upgrade, cron: "0 2 * * 0", duration: 1h, matchers: [host=db-host], channels: [{ platform: slack, id: C0OPS }] }
 */
export const maintenanceWindowsSchema = z
  .array(maintenanceWindowSchema)
  .superRefine((windows, ctx) => {
    const seen = new Set<string>();
    windows.forEach((window, index) => {
      if (seen.has(window.name)) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `maintenance window name "${window.name}" is used twice` });
      seen.add(window.name);
    });
  })
  .default([]);

/** One validated maintenance window. */
export type MaintenanceWindow = z.output<typeof maintenanceWindowSchema>;
