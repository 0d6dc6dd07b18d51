import type { BackupFacts, LastRestoreTest, RestoreTimes } from '../../../core/system.js';
import type { PostgresTarget } from '../probe.js';
import { databaseOfUrl } from '../connection.js';
import { listBackups, readSidecar, restoreTestRecordSchema, sidecarsOf } from './files.js';
import { hasBackup } from './targets.js';
import { targetHistory } from './history.js';
import { lastRestoreTimes } from './history-report.js';

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

/** The restore times (RTO) of each target's last five restore tests that restored, oldest first. */
export async function restoreTimes(targets: readonly PostgresTarget[]): Promise<RestoreTimes[]> {
  return Promise.all(
    targets.filter(hasBackup).map(async (target) => {
      const entries = await targetHistory(target.backup.dir, target.name, databaseOfUrl(target.url));
      const newest = entries.filter((entry) => entry.restore_ms !== undefined && entry.outcome !== 'interrupted').at(-1);
      return { target: target.name, times: lastRestoreTimes(entries), ...(newest?.on_production_server ? { onProductionServer: true } : {}) };
    }),
  );
}

/** Each target's newest dump (completed when renamed into place: its modification time) and restore tests. */
export async function backupFacts(targets: readonly PostgresTarget[]): Promise<BackupFacts[]> {
  return Promise.all(
    targets.filter(hasBackup).map(async (target) => {
      const database = databaseOfUrl(target.url);
      const [newest] = await listBackups(target.backup.dir, target.name, database).catch(() => []);
      const entries = await targetHistory(target.backup.dir, target.name, database);
      const finished = entries.filter((entry) => entry.outcome !== 'interrupted').at(-1);
      const passed = entries.filter((entry) => entry.outcome === 'passed').at(-1);
      return {
        target: target.name,
        ...(newest ? { lastBackupAt: new Date(newest.mtimeMs), lastBackupBytes: newest.size } : {}),
        ...(finished ? { lastRestoreTestMs: finished.duration_ms } : {}),
        ...(passed ? { lastPassedRestoreTestAt: new Date(passed.at) } : {}),
      };
    }),
  );
}
