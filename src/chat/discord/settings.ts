import { z } from 'zod';
import { secretSetting } from '../../config/secret.js';
import { mentionsOf } from '../../core/chat.js';

/** `chat.discord` in the config. */
export const discordSettingsSchema = z
  .object({
    enabled: z.enum(['auto', 'on', 'off']).default('auto'),
    mode: z.enum(['gateway', 'http']).default('gateway').describe('gateway: one replica holds the session; http: Discord posts interactions to every replica'),
    token: secretSetting,
    application_id: z.string().regex(/^\d+$/, 'expected a numeric Discord application id').optional(),
    api_url: z.url().optional(),
    public_key: z.preprocess(
      (value) => (value === '' ? undefined : value),
      z.string().regex(/^[0-9a-fA-F]{64}$/, "expected the application's public key: 64 hex characters (General Information → Public Key)").optional(),
    ),
    port: z.number().int().min(0).max(65535).default(3001).describe('HTTP mode: where Discord posts /discord/interactions'),
    guilds: z.array(z.string().regex(/^\d+$/, 'expected a numeric Discord guild id')).default([]),
    global_commands: z.boolean().default(false),
  })
  .strict();

/** Validated Discord settings. */
export type DiscordSettings = z.output<typeof discordSettingsSchema>;

const identityList = z.array(z.string().min(1)).default([]);

/** `access.grants[].discord`: the Discord users and guild roles a grant names. */
export const discordGrantSchema = z.object({ users: identityList, roles: identityList }).strict();

/** One grant's Discord part. */
export type DiscordGrant = z.output<typeof discordGrantSchema>;

const snowflakes = (what: string) => z.array(z.string().regex(/^\d+$/, `expected a numeric Discord ${what} id`)).default([]);

/** `approvals.notify.discord`: the guild roles and users a new approval card calls on Discord. */
export const discordNotifySchema = z
  .object({ roles: snowflakes('role'), users: snowflakes('user') })
  .strict()
  .transform((notify) => mentionsOf(notify.roles, notify.users));
