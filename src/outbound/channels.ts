import { z } from 'zod';
import type { Platform } from '../core/invocation.js';
import { quietHoursSchema } from './quiet-hours.js';

/** A channel on one of `platforms`, as schedules name where they post. */
export function channelSchemaFor(platforms: readonly [Platform, ...Platform[]]) {
  return z
    .object({
      platform: z.enum(platforms),
      id: z.string().min(1, 'expected a channel id (Slack C…, a Discord channel snowflake, or any name for the console)'),
      quiet_hours: quietHoursSchema.optional(),
    })
    .strict();
}

/** Where scheduled reports, runbook output and alerts are posted. */
export type Channel = z.output<ReturnType<typeof channelSchemaFor>>;

/** A channel as one string, for maps keyed by where something was posted. */
export function channelKey(channel: Pick<Channel, 'platform' | 'id'>): string {
  return `${channel.platform}:${channel.id}`;
}
