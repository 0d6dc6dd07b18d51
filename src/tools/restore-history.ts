import { restoreTestEntrySchema, type RestoreTestEntry } from '../core/restore-tests.js';

export { restoreTestEntrySchema, type RestoreTestEntry, type RestoreTestOutcome } from '../core/restore-tests.js';

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
