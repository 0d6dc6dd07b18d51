import { z } from 'zod';
import { parseDuration } from '../core/duration.js';
import { healthSettingsSchema, targetsSchema } from './targets.js';
import { alertsSchema, schedulesSchema } from '../schedule/schedule-config.js';

/** A secret that may be empty in the file (`${NAME:-}`), meaning: not set. */
const secret = z.preprocess((value) => (value === '' ? undefined : value), z.string().min(1).optional());

const slackSchema = z
  .object({
    enabled: z.enum(['auto', 'on', 'off']).default('auto').describe('auto: on when a bot token is set'),
    mode: z.enum(['socket', 'http']).default('socket'),
    bot_token: secret,
    app_token: secret,
    signing_secret: secret,
    api_url: z.url({ message: 'expected an http(s) URL ending in /api/' }).optional(),
    port: z.number().int().min(0).max(65535).default(3000),
  })
  .strict();

const discordSchema = z
  .object({
    enabled: z.enum(['auto', 'on', 'off']).default('auto'),
    token: secret,
    application_id: z.string().regex(/^\d+$/, 'expected a numeric Discord application id').optional(),
    api_url: z.url().optional(),
    guilds: z.array(z.string().regex(/^\d+$/, 'expected a numeric Discord guild id')).default([]),
    global_commands: z.boolean().default(false),
  })
  .strict();

const consoleSchema = z
  .object({
    enabled: z.enum(['auto', 'on', 'off']).default('auto').describe('auto: on when no chat platform is configured'),
    roles: z.array(z.string().min(1)).default(['admin']),
  })
  .strict();

const identityList = z.array(z.string().min(1)).default([]);

const grantSchema = z
  .object({
    role: z.string().min(1),
    slack: z.object({ users: identityList, groups: identityList }).strict().optional(),
    discord: z.object({ users: identityList, roles: identityList }).strict().optional(),
    console: z.object({ users: identityList }).strict().optional(),
  })
  .strict();

const accessSchema = z
  .object({
    default_role: z.string().min(1).default('viewer'),
    grants: z.array(grantSchema).default([]),
  })
  .strict();

const duration = z.string().refine((text) => parseDuration(text) !== undefined, 'expected a duration such as 30s, 5m or 2h');

const approvalRuleFields = {
  approver_roles: z.array(z.string().min(1)).min(1),
  required: z.number().int().min(1).max(10),
  allow_self_approval: z.boolean(),
  expires_after: duration,
};

const approvalsSchema = z
  .object({
    approver_roles: approvalRuleFields.approver_roles.default(['operator', 'admin']),
    required: approvalRuleFields.required.default(1),
    allow_self_approval: approvalRuleFields.allow_self_approval.default(false),
    expires_after: approvalRuleFields.expires_after.default('15m'),
    rules: z
      .record(z.string().min(1), z.object(approvalRuleFields).partial().strict())
      .default({})
      .describe('per runbook or command name: overrides of the defaults above'),
  })
  .strict();

const redisUrl = z.string().regex(/^rediss?:\/\//, 'expected a redis:// URL');
const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL');

/** The whole config file: every key is optional and has a sensible default. */
export const configSchema = z
  .object({
    log: z
      .object({
        level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
        format: z.enum(['auto', 'json', 'pretty']).default('auto'),
      })
      .strict()
      .default({ level: 'info', format: 'auto' }),
    chat: z
      .object({
        console: consoleSchema.default({ enabled: 'auto', roles: ['admin'] }),
        slack: slackSchema.default({ enabled: 'auto', mode: 'socket', port: 3000 }),
        discord: discordSchema.default({ enabled: 'auto', guilds: [], global_commands: false }),
      })
      .strict()
      .default({
        console: { enabled: 'auto', roles: ['admin'] },
        slack: { enabled: 'auto', mode: 'socket', port: 3000 },
        discord: { enabled: 'auto', guilds: [], global_commands: false },
      }),
    access: accessSchema.default({ default_role: 'viewer', grants: [] }),
    store: z
      .object({
        redis_url: redisUrl.optional(),
        key_prefix: z.string().regex(/^[\w:.-]+$/, 'expected letters, digits, and : . _ -').optional().describe('default maintbot:'),
      })
      .strict()
      .default({}),
    audit: z
      .object({
        database_url: postgresUrl.optional(),
        file: z.string().min(1).default('.maintbot/audit.jsonl'),
      })
      .strict()
      .default({ file: '.maintbot/audit.jsonl' }),
    approvals: approvalsSchema.default({
      approver_roles: ['operator', 'admin'],
      required: 1,
      allow_self_approval: false,
      expires_after: '15m',
      rules: {},
    }),
    health: healthSettingsSchema.default({ timeout_ms: 3000 }),
    observability: z
      .object({
        enabled: z.enum(['auto', 'on', 'off']).default('auto').describe('auto: on when Slack or Discord runs, off for the terminal chat alone'),
        host: z.string().min(1).default('0.0.0.0'),
        port: z.number().int().min(0).max(65535).default(9464).describe('0 picks a free port'),
      })
      .strict()
      .default({ enabled: 'auto', host: '0.0.0.0', port: 9464 }),
    schedules: schedulesSchema,
    alerts: alertsSchema,
    targets: targetsSchema.default(targetsSchema.parse({})),
  })
  .strict();

/** A validated config, with defaults filled in. */
export type Config = z.output<typeof configSchema>;
