import { rm } from 'node:fs/promises';
import type { BackupConfig } from './config.js';
import { listBackups, sidecarsOf, type BackupFile } from './files.js';

const dayMs = 86_400_000;

/**
 * Which dumps a retention policy removes. A dump is kept when it is one of the `keep_last` newest or younger
 * than `keep_days` (either rule keeps it); with neither rule set everything is kept. `keep` is never removed.
 */
export function expiredBackups(backups: readonly BackupFile[], retention: BackupConfig['retention'], keep: BackupFile, now: Date): BackupFile[] {
  const { keep_days: keepDays, keep_last: keepLast } = retention;
  if (keepDays === undefined && keepLast === undefined) return [];
  const newestFirst = [...backups].sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime());
  return newestFirst.filter((file, index) => {
    if (file.name === keep.name) return false;
    const recentEnough = keepDays !== undefined && now.getTime() - file.takenAt.getTime() < keepDays * dayMs;
    const newEnough = keepLast !== undefined && index < keepLast;
    return !recentEnough && !newEnough;
  });
}

/** Removes the dumps (with their sidecar files) that retention lets go; returns their names. */
export async function applyRetention(
  dir: string,
  target: string,
  database: string,
  retention: BackupConfig['retention'],
  keep: BackupFile,
  now: Date,
): Promise<string[]> {
  const expired = expiredBackups(await listBackups(dir, target, database), retention, keep, now);
  for (const file of expired) {
    const sidecars = sidecarsOf(file.path);
    await Promise.all([file.path, sidecars.sha256, sidecars.xxh64, sidecars.meta, sidecars.restoreTest, sidecars.history].map((path) => rm(path, { force: true })));
  }
  return expired.map((file) => file.name);
}
