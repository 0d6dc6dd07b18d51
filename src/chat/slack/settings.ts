import { z } from 'zod';
import { secretSetting } from '../../config/secret.js';
import { mentionsOf } from '../../core/chat.js';

/** `chat.slack` in the config. */
export const slackSettingsSchema = z
  .object({
    enabled: z.enum(['auto', 'on', 'off']).default('auto').describe('auto: on when a bot token is set'),
    mode: z.enum(['socket', 'http']).default('socket'),
    bot_token: secretSetting,
    app_token: secretSetting,
    signing_secret: secretSetting,
    api_url: z.url({ message: 'expected an http(s) URL ending in /api/' }).optional(),
    port: z.number().int().min(0).max(65535).default(3000),
  })
  .strict();

/** Validated Slack settings. */
export type SlackSettings = z.output<typeof slackSettingsSchema>;

const identityList = z.array(z.string().min(1)).default([]);

/** `access.grants[].slack`: the Slack users and user groups a grant names. */
export const slackGrantSchema = z.object({ users: identityList, groups: identityList }).strict();

/** One grant's Slack part. */
export type SlackGrant = z.output<typeof slackGrantSchema>;

/** `approvals.notify.slack`: the user groups (`S…`) and users (`U…`) a new approval card calls on Slack. */
export const slackNotifySchema = z
  .object({
    groups: z.array(z.string().regex(/^S[A-Z0-9]+$/, 'expected a Slack user-group id such as S0123ABCD')).default([]),
    users: z.array(z.string().regex(/^[UW][A-Z0-9]+$/, 'expected a Slack user id such as U0123ABCD')).default([]),
  })
  .strict()
  .transform((notify) => mentionsOf(notify.groups, notify.users));
