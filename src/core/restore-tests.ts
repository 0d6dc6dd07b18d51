import { z } from 'zod';

/** How a restore test ended: `interrupted` when maintbot shut down (or the run was stopped) before it finished. */
export type RestoreTestOutcome = 'passed' | 'failed' | 'interrupted';

/** One restore test of one dump, as kept beside the dump (`<dump>.restore-tests.jsonl`) and in the audit database. */
export const restoreTestEntrySchema = z.object({
  at: z.string(),
  target: z.string(),
  dump: z.string(),
  outcome: z.enum(['passed', 'failed', 'interrupted']),
  reason: z.string().optional(),
  /** The restore time (RTO): creating the scratch database and restoring the dump into it (`pg_restore`, `mariadb`). */
  restore_ms: z.number().optional(),
  restored_bytes: z.number().optional(),
  rows: z.number().optional(),
  tables: z.number().optional(),
  checks: z.array(z.object({ name: z.string(), passed: z.boolean() })).default([]),
  /** Everything, from the checksum to dropping the scratch database. */
  duration_ms: z.number(),
  /** The person who asked, or the schedule that started it. */
  by: z.string().optional(),
  scheduled: z.boolean().optional(),
  /** True when the scratch database was on the target's own (production) server. */
  on_production_server: z.boolean().optional(),
});

/** One restore test in the history. */
export type RestoreTestEntry = z.output<typeof restoreTestEntrySchema>;

/** A target's newest restore tests from a log, oldest first, and how many the log holds in all. */
export interface RestoreTestPage {
  entries: RestoreTestEntry[];
  total: number;
}

/**
 * Where restore tests are kept over time besides the history beside each dump (which retention removes with
 * its dump): the audit database, when there is one.
 */
export interface RestoreTestLog {
  /** Stores one test; throws when it could not be stored. */
  append(entry: RestoreTestEntry): Promise<void>;
  /** The newest `limit` tests of a target, oldest first; throws when the log cannot be read. */
  ofTarget(target: string, limit: number): Promise<RestoreTestPage>;
}
