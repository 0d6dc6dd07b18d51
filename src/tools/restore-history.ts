import { z } from 'zod';

/** How a restore test ended: `interrupted` when maintbot shut down (or the run was stopped) before it finished. */
export type RestoreTestOutcome = 'passed' | 'failed' | 'interrupted';

/** One restore test of one dump, as kept in `<dump>.restore-tests.jsonl` (one JSON object a line, oldest first). */
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

/** How many restore times a trend shows. */
export const restoreTimesTrendLength = 5;

/** The restore times (RTO) of the last five tests that restored, oldest first. */
export function lastRestoreTimes(entries: readonly RestoreTestEntry[], count = restoreTimesTrendLength): number[] {
  return entries
    .filter((entry) => entry.outcome !== 'interrupted' && entry.restore_ms !== undefined)
    .slice(-count)
    .map((entry) => entry.restore_ms!);
}

/** The entries of one `.restore-tests.jsonl` history file, oldest first; lines that are not entries are skipped. */
export function parseRestoreHistory(text: string): RestoreTestEntry[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap((line) => {
      try {
        const parsed = restoreTestEntrySchema.safeParse(JSON.parse(line));
        return parsed.success ? [parsed.data] : [];
      } catch {
        return [];
      }
    });
}
