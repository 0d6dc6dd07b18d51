import { z } from 'zod';
import { chatPlatforms } from '../chat/index.js';
import { parseDuration } from '../core/duration.js';
import { timeZoneSchema } from '../core/time-zone.js';
import { matchersSchema } from '../alerts/matchers.js';
import { channelSchemaFor } from '../outbound/channels.js';
import { cronFieldProblems } from './cron-fields.js';
import { cronJob } from './cron-times.js';
import { routesSchema } from '../alerts/routes.js';
import { intakeSchema } from '../alerts/intake-config.js';

/** A cron expression the scheduler (croner) runs, every field checked against its range (steps included), that fires at least once. */
export const cronExpression = z.string().superRefine((expression, ctx) => {
  const problem = cronProblem(expression);
  if (problem) ctx.addIssue({ code: 'custom', message: `not a cron expression (${problem}), e.g. "0 9 * * 1-5"` });
});

function cronProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/).filter(Boolean).length;
  if (!expression.trim().startsWith('@') && fields !== 5 && fields !== 6) return `expected 5 fields, or 6 with seconds first, not ${fields}`;
  const outOfRange = cronFieldProblems(expression);
  if (outOfRange.length > 0) return outOfRange.join('; ');
  try {
    if (cronJob(expression, undefined).nextRun() === null) return 'no date ever matches it';
    return undefined;
  } catch (error) {
    return cronerReason(error);
  }
}

/** croner's fields in its messages, seconds first ("configuration entry 5" is the day of week). */
const cronerFields = ['second', 'minute', 'hour', 'day of month', 'month', 'day of week'];

/** croner's parse error without its prefixes, the field it counts by number named. */
function cronerReason(error: unknown): string {
  const message = (error instanceof Error ? error.message : String(error)).replace(/^CronPattern:\s*/, '').replace(/^Syntax error,\s*/, '').replace(/\.$/, '');
  const illegal = /^configuration entry (\d) \((.*)\) contains illegal characters$/.exec(message);
  const field = illegal && cronerFields[Number(illegal[1])];
  return field ? `${field} '${illegal[2]}': a name or character cron does not know` : message;
}

/** A channel to post in, on one of the chat platforms. */
export const channelSchema = channelSchemaFor(chatPlatforms);

/** A schedule's or a maintenance window's name. */
export const scheduleName = z.string().regex(/^[a-z][a-z0-9-]*$/, 'expected lower-case letters, digits and dashes, starting with a letter');

const runSchema = z.union([
  z.object({ report: z.literal('morning') }).strict(),
  z.object({ alerts: z.literal('health') }).strict(),
  z.object({ runbook: scheduleName, params: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}) }).strict(),
]);

const scheduleSchema = z
  .object({
    name: scheduleName,
    cron: cronExpression,
    timezone: timeZoneSchema.optional(),
    run: runSchema,
    channels: z.array(channelSchema).default([]),
    enabled: z.boolean().default(true),
  })
  .strict();

/** The console channel the default schedules post to: the terminal chat, when it runs. */
export const defaultChannels = [{ platform: 'console' as const, id: 'terminal' }];

/** What runs when `schedules:` is left out; schedules naming runbooks that are not installed are skipped at start. */
export const defaultSchedules = [
  { name: 'morning-report', cron: '0 9 * * *', run: { report: 'morning' as const }, channels: defaultChannels, enabled: true },
  { name: 'health-alerts', cron: '*/5 * * * *', run: { alerts: 'health' as const }, channels: defaultChannels, enabled: true },
  { name: 'backup-verification', cron: '30 6 * * *', run: { runbook: 'backup', params: {} }, channels: defaultChannels, enabled: true },
  { name: 'restore-test', cron: '0 7 * * 5', run: { runbook: 'restore-test', params: {} }, channels: defaultChannels, enabled: true },
];

/** True for a schedule exactly as the defaults ship it (skipping one of those is not worth a warning). */
export function isDefaultSchedule(schedule: { name: string; run: unknown }): boolean {
  return defaultSchedules.some((known) => known.name === schedule.name && JSON.stringify(known.run) === JSON.stringify(schedule.run));
}

/** `schedules:` in the config: what runs when, and where it posts. Names are unique. */
export const schedulesSchema = z
  .array(scheduleSchema)
  .superRefine((schedules, ctx) => {
    const seen = new Set<string>();
    schedules.forEach((schedule, index) => {
      if (seen.has(schedule.name)) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `schedule name "${schedule.name}" is used twice` });
      seen.add(schedule.name);
    });
  })
  .default(defaultSchedules);

const duration = z.string().refine((text) => parseDuration(text) !== undefined, 'expected a duration such as 30s, 5m or 2h');

const labelName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a label name, e.g. host');

/** One `alerts.inhibit` rule: while an alert matching `source` fires, alerts matching `target` (with equal `equal` labels) are not raised. */
const inhibitRuleSchema = z
  .object({
    source: matchersSchema,
    target: matchersSchema,
    equal: z.array(labelName).default([]),
  })
  .strict();

/** `alerts:` in the config: how the health-check schedule turns check results into alerts. */
export const alertsSchema = z
  .object({
    hold_runs: z.number().int().min(1).max(100).default(2).describe('a new state must hold for this many runs before anyone is told'),
    renotify_after: duration.default('4h').describe('re-notify while critical and not acked'),
    snooze_default: duration.default('1h'),
    group_wait: duration.default('0s').describe("a later run's alerts join a channel's group message posted less than this long ago"),
    inhibit: z.array(inhibitRuleSchema).default([]),
    silence_max: duration.default('7d').describe('the longest /maint silence --for'),
    routes: routesSchema.describe('by alert labels: where an alert goes instead of the schedule\'s channels, and whom a critical one nobody acks escalates to'),
    intake: intakeSchema.optional(),
  })
  .strict()
  .default({ hold_runs: 2, renotify_after: '4h', snooze_default: '1h', group_wait: '0s', inhibit: [], silence_max: '7d', routes: [] });

/** One validated schedule. */
export type Schedule = z.output<typeof scheduleSchema>;
/** Validated alert settings. */
export type AlertSettings = z.output<typeof alertsSchema>;
