import { readFile } from 'node:fs/promises';
import type { BackupFacts, LastRestoreTest, RestoreTimes } from '../../../core/system.js';
import { lastRestoreTimes, parseRestoreHistory, type RestoreTestEntry } from '../../../tools/restore-history.js';
import { databaseOfMysqlUrl } from '../connection.js';
import type { MysqlTarget } from '../target.js';
import { listMysqlBackups, sidecarsOf, type MysqlBackupFile } from './files.js';

type TargetWithBackup = MysqlTarget & { backup: NonNullable<MysqlTarget['backup']> };

function withBackup(targets: readonly MysqlTarget[]): TargetWithBackup[] {
  return targets.filter((target): target is TargetWithBackup => target.backup !== undefined && databaseOfMysqlUrl(target.url) !== undefined);
}

async function dumpsOf(target: TargetWithBackup): Promise<MysqlBackupFile[]> {
  return listMysqlBackups(target.backup.dir, target.name, databaseOfMysqlUrl(target.url)!).catch(() => []);
}

/** Every restore test of a target's dumps still in its backup directory, oldest first. */
export async function mysqlTargetHistory(target: TargetWithBackup): Promise<RestoreTestEntry[]> {
  const dumps = await dumpsOf(target);
  const texts = await Promise.all(dumps.map((dump) => readFile(sidecarsOf(dump.path).history, 'utf8').catch(() => '')));
  return texts.flatMap(parseRestoreHistory).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
}

/** The newest restore test over the MySQL targets, for the morning report. */
export async function mysqlLastRestoreTest(targets: readonly MysqlTarget[]): Promise<LastRestoreTest | undefined> {
  const newest = await Promise.all(withBackup(targets).map(async (target) => ({ target, entry: (await mysqlTargetHistory(target)).filter((entry) => entry.outcome !== 'interrupted').at(-1) })));
  const latest = newest.filter((item) => item.entry !== undefined).sort((a, b) => Date.parse(b.entry!.at) - Date.parse(a.entry!.at))[0];
  if (!latest?.entry) return undefined;
  const { entry } = latest;
  return { target: latest.target.name, at: new Date(entry.at), ok: entry.outcome === 'passed', durationMs: entry.restore_ms ?? entry.duration_ms, ...(entry.reason ? { reason: entry.reason } : {}) };
}

/** The restore times (RTO) of each MySQL target's last five restore tests that restored, oldest first. */
export async function mysqlRestoreTimes(targets: readonly MysqlTarget[]): Promise<RestoreTimes[]> {
  return Promise.all(
    withBackup(targets).map(async (target) => {
      const entries = await mysqlTargetHistory(target);
      const newest = entries.filter((entry) => entry.restore_ms !== undefined && entry.outcome !== 'interrupted').at(-1);
      return { target: target.name, times: lastRestoreTimes(entries), ...(newest?.on_production_server ? { onProductionServer: true } : {}) };
    }),
  );
}

/** Each MySQL target's newest dump and restore tests, for the metrics and alert checks. */
export async function mysqlBackupFacts(targets: readonly MysqlTarget[]): Promise<BackupFacts[]> {
  return Promise.all(
    withBackup(targets).map(async (target) => {
      const [newest] = await dumpsOf(target);
      const entries = await mysqlTargetHistory(target);
      const finished = entries.filter((entry) => entry.outcome !== 'interrupted').at(-1);
      const passed = entries.filter((entry) => entry.outcome === 'passed').at(-1);
      return {
        target: target.name,
        ...(newest ? { lastBackupAt: newest.takenAt, lastBackupBytes: newest.size } : {}),
        ...(finished ? { lastRestoreTestMs: finished.duration_ms } : {}),
        ...(passed ? { lastPassedRestoreTestAt: new Date(passed.at) } : {}),
      };
    }),
  );
}
