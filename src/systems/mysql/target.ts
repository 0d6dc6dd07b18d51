import { z } from 'zod';
import { targetNameSchema } from '../../core/target-name.js';
import { mysqlBackupConfigSchema } from './backup/config.js';
import { mysqlThresholdsSchema } from './probes/thresholds.js';
import { targetCommonFields } from '../../core/target-fields.js';

/** One `targets.mysql[]` entry: a MySQL or MariaDB server to check, and which databases to report on. */
export const mysqlTargetSchema = z
  .object({
    name: targetNameSchema,
    url: z.string().regex(/^mysql:\/\/[^\s]+$/, 'expected a mysql:// URL, e.g. mysql://maintbot:${MYSQL_PASSWORD}@db:3306/app'),
    optional: z.boolean().default(false),
    ...targetCommonFields,
    databases: z
      .array(z.string().min(1, 'expected a database name').max(64, 'MySQL database names have at most 64 characters'))
      .min(1, 'list at least one database, or leave databases out')
      .optional(),
    thresholds: mysqlThresholdsSchema.prefault({}),
    backup: mysqlBackupConfigSchema.optional(),
  })
  .strict();

/** A validated MySQL target with defaults filled in. */
export type MysqlTarget = z.output<typeof mysqlTargetSchema>;
