import { errorMessage } from '../../../core/errors.js';
import { parseDuration } from '../../../core/duration.js';
import type { ProbeFinding } from '../../../core/finding.js';
import { formatSeconds } from '../../../render/units.js';
import { databaseOfUrl } from '../connection.js';
import type { PostgresTarget } from '../probe.js';
import { listBackups } from './files.js';
import { targetHistory } from './history.js';

/** Check ids of the backup freshness findings a PostgreSQL target with `backup` reports with its health. */
export const freshnessCheckIds = { backupAge: 'postgres.backup_age', restoreTestAge: 'postgres.restore_test_age' } as const;

/**
 * Whether the target's backups are fresh, as findings the health alerts judge: crit when the newest dump is older
 * than `backup.max_age`, or the newest passing restore test older than `restore_test.max_age`; warn when there is
 * none yet. Nothing for a target without `backup`.
 */
export async function backupFreshness(target: PostgresTarget, now: Date): Promise<ProbeFinding[]> {
  const backup = target.backup;
  if (!backup) return [];
  const database = databaseOfUrl(target.url);
  const [newest] = await listBackups(backup.dir, target.name, database);
  const passed = (await targetHistory(backup.dir, target.name, database)).filter((entry) => entry.outcome === 'passed').at(-1);
  const judge = (checkId: string, label: string, at: Date | undefined, maxAge: string, none: string, subject?: string): ProbeFinding => {
    const maxAgeMs = parseDuration(maxAge)!;
    const threshold = `crit when older than ${maxAge}`;
    if (!at) return { checkId, status: 'warn', label, text: 'none yet', threshold, note: none };
    const ageMs = now.getTime() - at.getTime();
    return {
      checkId,
      status: ageMs > maxAgeMs ? 'crit' : 'ok',
      measure: { value: ageMs / 1000, unit: 'seconds' },
      label,
      text: `${formatSeconds(ageMs / 1000)} old${subject ? ` (${subject})` : ''}`,
      threshold,
    };
  };
  return [
    judge(freshnessCheckIds.backupAge, 'newest backup', newest ? new Date(newest.mtimeMs) : undefined, backup.max_age, 'take one with /maint backup', newest?.name),
    judge(freshnessCheckIds.restoreTestAge, 'last passing restore test', passed ? new Date(passed.at) : undefined, backup.restore_test.max_age, 'run /maint restore-test', passed?.dump),
  ];
}

/** The freshness finding when the backup directory or the history cannot be read. */
export function unreadableBackups(error: unknown): ProbeFinding {
  return { checkId: freshnessCheckIds.backupAge, status: 'unknown', label: 'newest backup', text: `cannot be read: ${errorMessage(error)}` };
}
