import { z } from 'zod';
import { chatPlatforms } from '../chat/index.js';
import { secretSetting } from '../config/secret.js';
import { channelKey, channelSchemaFor, type Channel } from '../outbound/channels.js';

/** The largest request body the intake reads by default: 1 MiB, far beyond a group of a few hundred alerts. */
export const defaultIntakeBodyBytes = 1_048_576;

/**
 * `alerts.intake` in the config: Prometheus alerts in, through Alertmanager's webhook receiver at
 * `POST /alerts/alertmanager` on the observability port. Off until `token` is set.
 */
export const intakeSchema = z
  .object({
    token: secretSetting.describe('the bearer token Alertmanager sends (http_config.authorization.credentials); the intake is off without it'),
    channels: z.array(channelSchemaFor(chatPlatforms)).min(1).optional().describe('where the alerts go; default: the channels of the health-alerts schedules'),
    max_body_bytes: z.number().int().min(1024).max(64 * 1_048_576).default(defaultIntakeBodyBytes),
  })
  .strict();

/** Validated intake settings. */
export type IntakeSettings = z.output<typeof intakeSchema>;

/** Where Prometheus alerts go: `alerts.intake.channels`, else the channels of every enabled health-alerts schedule (once each); quiet hours in the first such schedule's time zone. */
export function intakeDestination(
  intake: Pick<IntakeSettings, 'channels'>,
  schedules: readonly { run: object; channels: readonly Channel[]; enabled: boolean; timezone?: string | undefined }[],
): { channels: Channel[]; timeZone: string | undefined } {
  const health = schedules.filter((schedule) => 'alerts' in schedule.run && schedule.enabled);
  const channels = new Map<string, Channel>();
  for (const channel of intake.channels ?? health.flatMap((schedule) => schedule.channels)) channels.set(channelKey(channel), channel);
  return { channels: [...channels.values()], timeZone: health.find((schedule) => schedule.timezone)?.timezone };
}
