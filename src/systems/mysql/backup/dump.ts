import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { UserError } from '../../../core/errors.js';
import { withoutPassword } from '../../../core/mask.js';
import { runTool, stderrTail } from '../../../tools/child-process.js';
import { checksumLine } from '../../../tools/digests.js';
import type { MysqlSession } from '../connection.js';
import { quoteIdentifier } from '../actions/tables.js';
import { mysqlTools, writeDefaultsFile } from './client-tools.js';
import { writeSidecar } from '../../../tools/sidecars.js';
import { listMysqlBackups, mysqlBackupName, sidecarsOf, type MysqlBackupFile, type MysqlBackupMeta } from './files.js';
import type { MysqlBackupConfig } from './config.js';

/** Exact row counts of every base table of `database`, in one consistent snapshot. */
export async function countRows(session: MysqlSession, database: string): Promise<{ schema: string; name: string; rows: number }[]> {
  await session.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY');
  try {
    const tables = await session.query<{ name: string }>(
      "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
      [database],
    );
    const counts: { schema: string; name: string; rows: number }[] = [];
    for (const table of tables) {
      const [row] = await session.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${quoteIdentifier(database)}.${quoteIdentifier(table.name)}`);
      counts.push({ schema: database, name: table.name, rows: Number(row?.n ?? 0) });
    }
    return counts;
  } finally {
    await session.query('COMMIT');
  }
}

/** What one dump wrote. */
export interface MysqlDumpOutcome {
  file: MysqlBackupFile;
  meta: MysqlBackupMeta;
  removed: string[];
}

/**
 * Streams `mariadb-dump --single-transaction --routines --triggers --events` of the target's database into
 * `<dir>/<target>-<database>-<time>.sql` (through a `.partial` file, renamed when complete), hashing it as it
 * is written; then the `.sha256` and `.meta.json` beside it, and retention. The password goes in a defaults
 * file of mode 600, never on the command line. A failed dump leaves no file.
 */
export async function dumpDatabase(
  request: { targetName: string; url: string; database: string; backup: MysqlBackupConfig; serverVersion: string; tables: MysqlBackupMeta['tables'] },
  signal: AbortSignal,
): Promise<MysqlDumpOutcome> {
  const tools = await mysqlTools();
  await mkdir(request.backup.dir, { recursive: true });
  const takenAt = new Date();
  const dumpPath = path.join(request.backup.dir, mysqlBackupName(request.targetName, request.database, takenAt));
  const sidecars = sidecarsOf(dumpPath);
  const defaults = await writeDefaultsFile(request.url);
  const hash = createHash('sha256');
  const started = Date.now();
  try {
    let written: Promise<void> = Promise.resolve();
    const result = await runTool(
      tools.dump,
      [defaults.argument, '--single-transaction', '--routines', '--triggers', '--events', '--hex-blob', '--default-character-set=utf8mb4', request.database],
      {
        signal,
        onSpawn: (child) => {
          const hashing = new Transform({
            transform(chunk: Buffer, _encoding, done) {
              hash.update(chunk);
              done(null, chunk);
            },
          });
          written = pipeline(child.stdout!, hashing, createWriteStream(sidecars.partial, { mode: 0o600 }));
        },
      },
    );
    await written;
    if (result.code !== 0) throw new UserError(`${tools.dump} of ${request.database} on target ${request.targetName} failed: ${withoutPassword(stderrTail(result.stderr), request.url)}.`);
    await rename(sidecars.partial, dumpPath);
  } catch (error) {
    await rm(sidecars.partial, { force: true });
    throw error;
  } finally {
    await defaults.remove();
  }
  const sha256 = hash.digest('hex');
  const size = (await stat(dumpPath)).size;
  const version = await runTool(tools.dump, ['--version'], { captureStdout: true });
  const meta: MysqlBackupMeta = {
    version: 1,
    target: request.targetName,
    database: request.database,
    taken_at: takenAt.toISOString(),
    server_version: request.serverVersion,
    dump_tool: version.stdout.trim(),
    counts_taken: 'before the dump',
    tables: request.tables,
    size_bytes: size,
    sha256,
    duration_ms: Date.now() - started,
  };
  await writeSidecar(sidecars.sha256, checksumLine(sha256, dumpPath));
  await writeSidecar(sidecars.meta, `${JSON.stringify(meta, null, 2)}\n`);
  const file: MysqlBackupFile = { name: path.basename(dumpPath), path: dumpPath, size, takenAt };
  return { file, meta, removed: await applyRetention(request, file) };
}

/** Removes dumps beyond `keep_last` or older than `keep_days`, never the newest; the names removed. */
async function applyRetention(request: { targetName: string; database: string; backup: MysqlBackupConfig }, newest: MysqlBackupFile): Promise<string[]> {
  const { keep_days: keepDays, keep_last: keepLast } = request.backup.retention;
  if (keepDays === undefined && keepLast === undefined) return [];
  const all = await listMysqlBackups(request.backup.dir, request.targetName, request.database);
  const cutoff = keepDays === undefined ? undefined : Date.now() - keepDays * 86_400_000;
  const doomed = all.filter((file, index) => file.path !== newest.path && ((keepLast !== undefined && index >= keepLast) || (cutoff !== undefined && file.takenAt.getTime() < cutoff)));
  for (const file of doomed) {
    const sidecars = sidecarsOf(file.path);
    await Promise.all([file.path, sidecars.sha256, sidecars.meta, sidecars.history].map((name) => unlink(name).catch(() => undefined)));
  }
  return doomed.map((file) => file.name);
}
