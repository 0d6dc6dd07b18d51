import { UserError } from '../../../core/errors.js';
import { didYouMean } from '../../../core/did-you-mean.js';
import type { PostgresTarget } from '../probe.js';
import type { BackupConfig } from './config.js';
import { databaseOfUrl } from '../connection.js';
import { userText } from '../../../core/user-text.js';

/** A PostgreSQL target that has a `backup` block. */
export type BackupTarget = PostgresTarget & { backup: BackupConfig };

const configHint = 'Config: add a backup block (dir, retention, restore_test) to the entry in targets.postgres[].';

/** True when the target has a `backup` block. */
export function hasBackup(target: PostgresTarget): target is BackupTarget {
  return target.backup !== undefined;
}

/**
 * The target named `name` (or the only one with backups configured) and the database its backups are of:
 * the one in its URL. A `UserError` lists the targets that have backups configured.
 */
export function resolveBackupTarget(targets: readonly PostgresTarget[], name?: string): { target: BackupTarget; database: string } {
  const withBackups = targets.filter(hasBackup);
  const names = withBackups.map((target) => target.name).join(', ') || 'none';
  let target: PostgresTarget | undefined;
  if (name === undefined) {
    if (withBackups.length === 0) throw new UserError('No PostgreSQL target has backups configured.', configHint);
    if (withBackups.length > 1) throw new UserError(`Several PostgreSQL targets have backups configured; name one with --target: ${names}.`);
    target = withBackups[0];
  } else {
    target = targets.find((candidate) => candidate.name === name);
    if (!target) {
      throw new UserError(`No PostgreSQL target named "${userText(name)}". Targets with backups: ${names}.${didYouMean(name, withBackups.map((candidate) => candidate.name))}`);
    }
    if (!hasBackup(target)) throw new UserError(`Target ${target.name} has no backups configured. Targets with backups: ${names}.`, configHint);
  }
  return { target: target as BackupTarget, database: databaseOfUrl(target!.url) };
}
