import { parseDuration } from '../../../core/duration.js';
import { errorMessage } from '../../../core/errors.js';
import type { ProbeFinding } from '../../../core/finding.js';
import { formatSeconds } from '../../../render/units.js';
import { databaseOfMysqlUrl } from '../connection.js';
import type { MysqlTarget } from '../target.js';
import { listMysqlBackups } from './files.js';
import { mysqlTargetHistory } from './history.js';

/** Check ids of the backup freshness findings a MySQL target with `backup` reports with its health. */
export const mysqlFreshnessCheckIds = { backupAge: 'mysql.backup_age', restoreTestAge: 'mysql.restore_test_age' } as const;

/**
 * Whether the target's backups are fresh, as the health alerts judge them: crit when the newest dump is older than
 * `backup.max_age` or the newest passing restore test older than `restore_test.max_age`; warn when there is none
 * yet. Nothing for a target without `backup`; one unknown finding when the directory cannot be read.
 */
export async function mysqlBackupFreshness(target: MysqlTarget, now: Date): Promise<ProbeFinding[]> {
  const backup = target.backup;
  const database = databaseOfMysqlUrl(target.url);
  if (!backup || !database) return [];
  try {
    const [newest] = await listMysqlBackups(backup.dir, target.name, database);
    const passed = (await mysqlTargetHistory({ ...target, backup })).filter((entry) => entry.outcome === 'passed').at(-1);
    return [
      judgeAge(mysqlFreshnessCheckIds.backupAge, 'newest backup', newest?.takenAt, backup.max_age, 'take one with /maint backup', now, newest?.name),
      judgeAge(mysqlFreshnessCheckIds.restoreTestAge, 'last passing restore test', passed ? new Date(passed.at) : undefined, backup.restore_test.max_age, 'run /maint restore-test', now, passed?.dump),
    ];
  } catch (error) {
    return [{ checkId: mysqlFreshnessCheckIds.backupAge, status: 'unknown', label: 'newest backup', text: `cannot be read: ${errorMessage(error)}` }];
  }
}

function judgeAge(checkId: string, label: string, at: Date | undefined, maxAge: string, none: string, now: Date, subject?: string): ProbeFinding {
  const threshold = `crit when older than ${maxAge}`;
  if (!at) return { checkId, status: 'warn', label, text: 'none yet', threshold, note: none };
  const ageMs = now.getTime() - at.getTime();
  return {
    checkId,
    status: ageMs > parseDuration(maxAge)! ? 'crit' : 'ok',
    measure: { value: ageMs / 1000, unit: 'seconds' },
    label,
    text: `${formatSeconds(ageMs / 1000)} old${subject ? ` (${subject})` : ''}`,
    threshold,
  };
}
