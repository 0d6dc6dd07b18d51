import { z } from 'zod';
import { parseDuration } from '../../../core/duration.js';

const duration = (example: string) =>
  z.string().refine((text) => parseDuration(text) !== undefined, `expected a duration such as ${example} (units ms, s, m, h, d)`);

/** The longest restore test the runbook step allows (its own timeout is 24d). */
const maxTimeoutMs = 24 * 86_400_000;

const retentionSchema = z
  .object({
    keep_days: z.number().positive('expected a number of days above zero').optional(),
    keep_last: z.number().int('expected a whole number of backups').min(1, 'keep at least the newest backup').optional(),
  })
  .strict();

const checkSchema = z
  .object({
    name: z.string().min(1, 'name the check, e.g. "hotels not empty"'),
    sql: z.string().min(1, 'expected one SQL query that returns one boolean, e.g. SELECT count(*) > 0 FROM hotels'),
  })
  .strict();

const restoreTestSchema = z
  .object({
    server_url: z.string().regex(/^postgres(ql)?:\/\/[^\s]+$/, 'expected a postgres:// URL of the restore-test server').optional(),
    scratch_prefix: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,41}$/, 'expected lower-case letters, digits and underscores (at most 42), starting with a letter or underscore')
      .default('maintbot_restore_test_'),
    jobs: z.number().int('expected a whole number of parallel jobs').min(1).max(64).default(2),
    row_count_tolerance_pct: z.number().min(0, 'expected a percentage from 0 to 100').max(100, 'expected a percentage from 0 to 100').default(0),
    checks: z.array(checkSchema).default([]),
    orphan_max_age: duration('6h or 0s').default('6h'),
    max_age: duration('8d or 7d12h').default('8d'),
    orphan_sweep_every: duration('1h or 30m').refine((text) => parseDuration(text)! > 0, 'expected a duration above zero').default('1h'),
    timeout: duration('6h or 90m')
      .refine((text) => parseDuration(text)! <= maxTimeoutMs, 'expected at most 24d')
      .refine((text) => parseDuration(text)! > 0, 'expected a duration above zero')
      .default('6h'),
  })
  .strict();

const dependentContainersSchema = z
  .object({
    docker_target: z.string().min(1, 'name the targets.docker[] entry the containers run on'),
    containers: z.array(z.string().min(1, 'expected a container name')).min(1, 'list at least one container'),
  })
  .strict();

/**
 * `targets.postgres[].backup`: where `/maint backup` writes dumps of the target's database, how many it keeps,
 * how `/maint restore-test` checks them, and which containers `/maint restore` stops while it overwrites a database.
 */
export const backupConfigSchema = z
  .object({
    dir: z.string().min(1, 'expected the directory backups are written to'),
    max_age: duration('26h or 2d').default('26h'),
    retention: retentionSchema.prefault({}),
    restore_test: restoreTestSchema.prefault({}),
    dependent_containers: dependentContainersSchema.optional(),
  })
  .strict();

/** A validated backup block, defaults filled in. */
export type BackupConfig = z.output<typeof backupConfigSchema>;
/** One custom restore-test check. */
export type RestoreCheck = BackupConfig['restore_test']['checks'][number];
