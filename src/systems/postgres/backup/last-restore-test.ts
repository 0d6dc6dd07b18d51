import type { LastRestoreTest } from '../../../core/system.js';
import type { PostgresTarget } from '../probe.js';
import { databaseOfUrl } from '../connection.js';
import { listBackups, readSidecar, restoreTestRecordSchema, sidecarsOf } from './files.js';
import { hasBackup } from './targets.js';


const dumpsLookedAt = 10;

/** Reads the `.restore-test.json` records beside each target's newest dumps and returns the newest. */
export async function lastRestoreTest(targets: readonly PostgresTarget[]): Promise<LastRestoreTest | undefined> {
  let newest: LastRestoreTest | undefined;
  for (const target of targets.filter(hasBackup)) {
    const dumps = await listBackups(target.backup.dir, target.name, databaseOfUrl(target.url)).catch(() => []);
    for (const dump of dumps.slice(0, dumpsLookedAt)) {
      const record = await readSidecar(sidecarsOf(dump.path).restoreTest, restoreTestRecordSchema);
      if (!record) continue;
      const at = new Date(record.at);
      if (!newest || at > newest.at) {
        newest = { target: target.name, at, ok: record.passed, durationMs: record.duration_ms, ...(record.reason ? { reason: record.reason } : {}) };
      }
    }
  }
  return newest;
}
