import { z } from 'zod';
import { parseDuration } from '../core/duration.js';
import { chatSchema, grantSchema, notifySchema } from './chat.js';
import type { AnySystemModule } from '../core/system.js';
import { shippedSystems } from '../systems/index.js';
import { healthSettingsSchema, targetsSchemaFor } from './targets.js';
import { alertsSchema, schedulesSchema } from '../schedule/schedule-config.js';
import { rateLimitsSchema } from '../router/rate-limits.js';
import { runsSchema } from '../approvals/run-lease-settings.js';
import { audiencesSchema } from '../outbound/audiences.js';
import { heartbeatSchema } from '../observability/heartbeat.js';
import { maintenanceWindowsSchema } from '../alerts/maintenance-config.js';

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
  notify: notifySchema.describe('per platform, whom a new approval card calls: slack {groups, users}, discord {roles, users}'),
};

const approvalsSchema = z
  .object({
    approver_roles: approvalRuleFields.approver_roles.default(['operator', 'admin']),
    required: approvalRuleFields.required.default(1),
    allow_self_approval: approvalRuleFields.allow_self_approval.default(false),
    expires_after: approvalRuleFields.expires_after.default('15m'),
    notify: approvalRuleFields.notify.default({}),
    rules: z
      .record(z.string().min(1), z.object(approvalRuleFields).partial().strict())
      .default({})
      .describe('per runbook or command name: overrides of the defaults above'),
  })
  .strict();

const redisUrl = z.string().regex(/^rediss?:\/\//, 'expected a redis:// URL');
const postgresUrl = z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL');

/**
 * The whole config file over the given system modules (`targets.<key>` for each): every key is optional
 * and has a sensible default. The app must be built with the same list (`buildApp(…, { systems })`).
 */
export function configSchemaFor(systems: readonly AnySystemModule[]) {
  const targets = targetsSchemaFor(systems);
  return z
    .object({
      log: z
        .object({
          level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
          format: z.enum(['auto', 'json', 'pretty']).default('auto'),
        })
        .strict()
        .default({ level: 'info', format: 'auto' }),
      chat: chatSchema,
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
        notify: {},
        rules: {},
      }),
      rate_limits: rateLimitsSchema,
      runs: runsSchema,
      health: healthSettingsSchema.prefault({}),
      observability: z
        .object({
          enabled: z.enum(['auto', 'on', 'off']).default('auto').describe('auto: on when Slack or Discord runs or the bot is headless, off for the terminal chat alone'),
          host: z.string().min(1).default('0.0.0.0'),
          port: z.number().int().min(0).max(65535).default(9464).describe('0 picks a free port'),
        })
        .strict()
        .default({ enabled: 'auto', host: '0.0.0.0', port: 9464 }),
      schedules: schedulesSchema,
      notify: audiencesSchema.describe('named audiences a runbook\'s notify step posts to: {channels, mention}'),
      alerts: alertsSchema,
      heartbeat: heartbeatSchema.describe('{url, every}: a push URL (healthchecks.io, Uptime Kuma) pinged every `every` while the bot is ready'),
      maintenance_windows: maintenanceWindowsSchema.describe('planned work: {name, cron, duration, matchers, channels, timezone}; matching alerts are silenced while it lasts'),
      targets: targets.default(targets.parse({})),
    })
    .strict();
}

/** The whole config file of the shipped systems. */
export const configSchema = configSchemaFor(shippedSystems);

/** A validated config, with defaults filled in. */
export type Config = z.output<typeof configSchema>;
