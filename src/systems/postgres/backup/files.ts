import { readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../../../core/errors.js';
export { readSidecar, writeSidecar } from '../../../tools/sidecars.js';
import { userText } from '../../../core/user-text.js';

/** One dump in a backup directory. */
export interface BackupFile {
  name: string;
  path: string;
  size: number;
  mtimeMs: number;
  /** When the dump was taken: from its name, else its modification time. */
  takenAt: Date;
}

const stampPattern = /(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})\.(\d{3})Z\.dump$/;
const sidecarPattern = /\.(sha256|xxh64|meta\.json|restore-test\.json|restore-tests\.jsonl|partial)$/;

/** `<target>-<database>-<UTC time>.dump`, e.g. `main-db-shop-2025-01-31T02-00-00.000Z.dump`. */
export function backupFileName(target: string, database: string, at: Date): string {
  return `${namePrefix(target, database)}${at.toISOString().replace(/:/g, '-')}.dump`;
}

function namePrefix(target: string, database: string): string {
  return `${target}-${database.replace(/[^A-Za-z0-9_.-]/g, '_')}-`;
}

/** The files kept beside a dump. */
export function sidecarsOf(dumpPath: string): { partial: string; sha256: string; xxh64: string; meta: string; restoreTest: string; history: string } {
  return {
    partial: `${dumpPath}.partial`,
    sha256: `${dumpPath}.sha256`,
    xxh64: `${dumpPath}.xxh64`,
    meta: `${dumpPath}.meta.json`,
    restoreTest: `${dumpPath}.restore-test.json`,
    history: `${dumpPath}.restore-tests.jsonl`,
  };
}

/** The dumps maintbot wrote for `target`'s `database` in `dir`, newest first; none when the directory is missing. */
export async function listBackups(dir: string, target: string, database: string): Promise<BackupFile[]> {
  const prefix = namePrefix(target, database);
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw new UserError(`Cannot read the backup directory ${dir}: ${error.code ?? error.message}.`);
  });
  const files = await Promise.all(
    names
      .filter((name) => name.startsWith(prefix) && stampPattern.test(name.slice(prefix.length)))
      .map((name) => describeFile(dir, name)),
  );
  return files.filter((file): file is BackupFile => file !== undefined).sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime());
}

/**
 * The dump named `given` (a file name, or a path inside `dir`), or the newest of the target when none is given.
 * A path outside `dir`, a sidecar file or a missing file is a `UserError`.
 */
export async function resolveBackup(dir: string, target: string, database: string, given?: string): Promise<BackupFile> {
  if (given === undefined) {
    const [newest] = await listBackups(dir, target, database);
    if (!newest) throw new UserError(`No backup of ${database} on target ${target} in ${dir} yet.`, 'Take one with /maint backup.');
    return newest;
  }
  const realDir = await realpath(dir).catch(() => {
    throw new UserError(`The backup directory ${dir} does not exist.`);
  });
  const wanted = path.resolve(realDir, given);
  const real = await realpath(wanted).catch(() => undefined);
  const inside = (candidate: string): boolean => {
    const relative = path.relative(realDir, candidate);
    return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative) && !relative.includes(path.sep);
  };
  if (!inside(wanted) || (real !== undefined && !inside(real))) {
    throw new UserError(`Only backups inside ${dir} can be used; "${userText(given)}" is not a file in that directory.`);
  }
  if (sidecarPattern.test(wanted)) throw new UserError(`${userText(path.basename(wanted))} is not a dump but a file kept beside one; name the .dump file.`);
  const file = real === undefined ? undefined : await describeFile(realDir, path.basename(real));
  if (!file) throw new UserError(`No backup named ${userText(path.basename(wanted))} in ${dir}.`, 'List them with /maint backups.');
  return { ...file, path: path.join(dir, file.name) };
}

async function describeFile(dir: string, name: string): Promise<BackupFile | undefined> {
  const full = path.join(dir, name);
  const info = await stat(full).catch(() => undefined);
  if (!info?.isFile()) return undefined;
  const match = stampPattern.exec(name);
  const takenAt = match ? new Date(`${match[1]}T${match[2]}:${match[3]}:${match[4]}.${match[5]}Z`) : new Date(info.mtimeMs);
  return { name, path: full, size: info.size, mtimeMs: info.mtimeMs, takenAt };
}

const tableCountSchema = z.object({ schema: z.string(), name: z.string(), rows: z.number() });

/** What `.meta.json` beside a dump records. */
export const backupMetaSchema = z.object({
  version: z.literal(1),
  target: z.string(),
  database: z.string(),
  taken_at: z.string(),
  server_version: z.string(),
  pg_dump: z.string(),
  /** `same snapshot`: exact counts of the very data in the dump; `before the dump`: counted just before it started. */
  counts_taken: z.enum(['same snapshot', 'before the dump']),
  tables: z.array(tableCountSchema),
  size_bytes: z.number(),
  sha256: z.string(),
  /** XXH64 of the dump, what restore tests and `--verify` check (dumps written before it have only the sha256). */
  xxh64: z.string().optional(),
  duration_ms: z.number(),
});

/** The contents of a dump's `.meta.json`. */
export type BackupMeta = z.output<typeof backupMetaSchema>;
/** Exact row count of one table. */
export type TableCount = z.output<typeof tableCountSchema>;

/** What `.restore-test.json` beside a dump records: the last restore test of it that finished (passed or failed). */
export const restoreTestRecordSchema = z.object({
  at: z.string(),
  passed: z.boolean(),
  reason: z.string().optional(),
  duration_ms: z.number(),
  restored_bytes: z.number().optional(),
  tables: z.number().optional(),
  checks: z.array(z.object({ name: z.string(), passed: z.boolean() })).default([]),
});

/** The last restore test of a dump. */
export type RestoreTestRecord = z.output<typeof restoreTestRecordSchema>;
