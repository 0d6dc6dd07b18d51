import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../../../core/errors.js';
import { readSidecar } from '../../../tools/sidecars.js';

/** One SQL dump in a backup directory. */
export interface MysqlBackupFile {
  name: string;
  path: string;
  size: number;
  takenAt: Date;
}

const stampPattern = /(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})\.(\d{3})Z\.sql$/;

/** `<target>-<database>-<UTC time>.sql`, e.g. `appointments-db-shop-2025-01-31T02-00-00.000Z.sql`. */
export function mysqlBackupName(target: string, database: string, at: Date): string {
  return `${namePrefix(target, database)}${at.toISOString().replace(/:/g, '-')}.sql`;
}

function namePrefix(target: string, database: string): string {
  return `${target}-${database.replace(/[^A-Za-z0-9_.-]/g, '_')}-`;
}

/** The files kept beside a dump: the same names as a PostgreSQL dump's. */
export function sidecarsOf(dumpPath: string): { partial: string; sha256: string; meta: string; history: string } {
  return { partial: `${dumpPath}.partial`, sha256: `${dumpPath}.sha256`, meta: `${dumpPath}.meta.json`, history: `${dumpPath}.restore-tests.jsonl` };
}

/** The dumps of `target`'s `database` in `dir`, newest first; none when the directory is missing. */
export async function listMysqlBackups(dir: string, target: string, database: string): Promise<MysqlBackupFile[]> {
  const prefix = namePrefix(target, database);
  const names = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [] as string[];
    throw new UserError(`Cannot read the backup directory ${dir}: ${error.code ?? error.message}.`);
  });
  const files = await Promise.all(
    names
      .filter((name) => name.startsWith(prefix))
      .map(async (name) => {
        const match = stampPattern.exec(name.slice(prefix.length));
        const info = match ? await stat(path.join(dir, name)).catch(() => undefined) : undefined;
        if (!match || !info?.isFile()) return undefined;
        return { name, path: path.join(dir, name), size: info.size, takenAt: new Date(`${match[1]}T${match[2]}:${match[3]}:${match[4]}.${match[5]}Z`) };
      }),
  );
  return files.filter((file): file is MysqlBackupFile => file !== undefined).sort((a, b) => b.takenAt.getTime() - a.takenAt.getTime());
}

/** The dump named `given` (a file name in `dir`), or the newest; anything else is a `UserError`. */
export async function resolveMysqlBackup(dir: string, target: string, database: string, given?: string): Promise<MysqlBackupFile> {
  const backups = await listMysqlBackups(dir, target, database);
  if (given === undefined) {
    if (!backups[0]) throw new UserError(`No backup of ${database} on target ${target} in ${dir} yet.`, 'Take one with /maint backup.');
    return backups[0];
  }
  const found = backups.find((file) => file.name === given);
  if (!found) throw new UserError(`No backup named ${JSON.stringify(given.slice(0, 80))} of ${database} on target ${target} in ${dir}.`, 'List them with /maint backups, or leave --backup out for the newest.');
  return found;
}

/** What `.meta.json` beside a dump records, as a PostgreSQL dump's does. */
export const mysqlBackupMetaSchema = z.object({
  version: z.literal(1),
  target: z.string(),
  database: z.string(),
  taken_at: z.string(),
  server_version: z.string(),
  dump_tool: z.string(),
  counts_taken: z.enum(['same snapshot', 'before the dump']),
  tables: z.array(z.object({ schema: z.string(), name: z.string(), rows: z.number() })),
  size_bytes: z.number(),
  sha256: z.string(),
  duration_ms: z.number(),
});

/** The contents of a dump's `.meta.json`. */
export type MysqlBackupMeta = z.output<typeof mysqlBackupMetaSchema>;

/** Reads a dump's `.meta.json`; undefined when it is missing or unreadable. */
export function readMeta(dumpPath: string): Promise<MysqlBackupMeta | undefined> {
  return readSidecar(sidecarsOf(dumpPath).meta, mysqlBackupMetaSchema);
}
