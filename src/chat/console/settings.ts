import { z } from 'zod';

/** `chat.console` in the config. */
export const consoleSettingsSchema = z
  .object({
    enabled: z.enum(['auto', 'on', 'off']).default('auto').describe('auto: on when no chat platform is configured'),
    roles: z.array(z.string().min(1)).default(['admin']),
  })
  .strict();

/** Validated terminal chat settings. */
export type ConsoleSettings = z.output<typeof consoleSettingsSchema>;

/** `access.grants[].console`: the OS user names a grant names. */
export const consoleGrantSchema = z.object({ users: z.array(z.string().min(1)).default([]) }).strict();

/** One grant's terminal part. */
export type ConsoleGrant = z.output<typeof consoleGrantSchema>;
