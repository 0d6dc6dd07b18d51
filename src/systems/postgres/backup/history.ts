import { appendFile, readFile } from 'node:fs/promises';
import { parseRestoreHistory, type RestoreTestEntry } from '../../../tools/restore-history.js';
export { restoreTestEntrySchema, type RestoreTestEntry, type RestoreTestOutcome } from '../../../tools/restore-history.js';
import { listBackups, readSidecar, restoreTestRecordSchema, sidecarsOf, type BackupFile } from './files.js';

/** Appends one restore test to the history beside its dump. */
export async function appendRestoreTest(dumpPath: string, entry: RestoreTestEntry): Promise<void> {
  await appendFile(sidecarsOf(dumpPath).history, `${JSON.stringify(entry)}\n`);
}

/**
 * The restore tests of one dump, oldest first: the history file, and the older `.restore-test.json` (the last
 * result only, written before the history existed) when the history does not hold that test.
 */
export async function dumpHistory(file: BackupFile, target: string): Promise<RestoreTestEntry[]> {
  const text = await readFile(sidecarsOf(file.path).history, 'utf8').catch(() => '');
  const entries = parseRestoreHistory(text);
  const last = await readSidecar(sidecarsOf(file.path).restoreTest, restoreTestRecordSchema);
  if (last && !entries.some((entry) => entry.at === last.at)) {
    entries.unshift({
      at: last.at,
      target,
      dump: file.name,
      outcome: last.passed ? 'passed' : 'failed',
      ...(last.reason ? { reason: last.reason } : {}),
      restore_ms: last.duration_ms,
      ...(last.restored_bytes !== undefined ? { restored_bytes: last.restored_bytes } : {}),
      ...(last.tables !== undefined ? { tables: last.tables } : {}),
      checks: last.checks,
      duration_ms: last.duration_ms,
    });
  }
  return entries.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** Every restore test of a target's dumps still in its backup directory, oldest first. */
export async function targetHistory(dir: string, target: string, database: string): Promise<RestoreTestEntry[]> {
  const dumps = await listBackups(dir, target, database).catch(() => []);
  const all = (await Promise.all(dumps.map((dump) => dumpHistory(dump, target)))).flat();
  return all.sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}
