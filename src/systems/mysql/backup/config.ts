import { z } from 'zod';
import { parseDuration } from '../../../core/duration.js';

const duration = (example: string) =>
  z.string().refine((text) => parseDuration(text) !== undefined, `expected a duration such as ${example} (units ms, s, m, h, d)`);

const checkSchema = z
  .object({
    name: z.string().min(1, 'name the check, e.g. "appointments not empty"'),
    sql: z.string().min(1, 'expected one SQL query that returns one true/false value, e.g. SELECT count(*) > 0 FROM appointments'),
  })
  .strict();

const restoreTestSchema = z
  .object({
    server_url: z.string().regex(/^mysql:\/\/[^\s]+$/, 'expected a mysql:// URL of the restore-test server').optional(),
    scratch_prefix: z
      .string()
      .regex(/^[a-z_][a-z0-9_]{0,41}$/, 'expected lower-case letters, digits and underscores (at most 42), starting with a letter or underscore')
      .default('maintbot_restore_test_'),
    row_count_tolerance_pct: z.number().min(0, 'expected a percentage from 0 to 100').max(100, 'expected a percentage from 0 to 100').default(0),
    checks: z.array(checkSchema).default([]),
    max_age: duration('8d or 7d12h').default('8d'),
  })
  .strict();

/**
 * `targets.mysql[].backup`: where `/maint backup` writes dumps of the target's database, how many it keeps, and
 * how `/maint restore-test` checks them; the same shape as a PostgreSQL target's.
 */
export const mysqlBackupConfigSchema = z
  .object({
    dir: z.string().min(1, 'expected the directory backups are written to'),
    max_age: duration('26h or 2d').default('26h'),
    retention: z
      .object({
        keep_days: z.number().positive('expected a number of days above zero').optional(),
        keep_last: z.number().int('expected a whole number of backups').min(1, 'keep at least the newest backup').optional(),
      })
      .strict()
      .prefault({}),
    restore_test: restoreTestSchema.prefault({}),
  })
  .strict();

/** A validated MySQL backup block, defaults filled in. */
export type MysqlBackupConfig = z.output<typeof mysqlBackupConfigSchema>;
