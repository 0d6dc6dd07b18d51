import type { ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { CodedError, UserError, errorMessage } from '../../../core/errors.js';
import type { PostgresTarget } from '../probe.js';
import { runTool, stderrTail } from './child-process.js';
import { startDumpDigests, writeDigests, type DumpDigests } from './checksum.js';
import type { BackupConfig } from './config.js';
import { closePostgresClient, openPostgresClient, serverMajor, withDatabase } from '../connection.js';
import { backupConnection, toolConnection } from './connection.js';
import { backupFileName, sidecarsOf, writeSidecar, type BackupFile, type BackupMeta, type TableCount } from './files.js';
import { findPgTool, type PgToolLookup } from './pg-tools.js';
import { applyRetention } from './retention.js';
import { countRows } from './row-counts.js';
import { withoutPassword } from '../../../core/mask.js';

/** What one `pg_dump` needs. */
export interface BackupRequest {
  target: PostgresTarget & { backup: BackupConfig };
  database: string;
  lookup: PgToolLookup;
  signal: AbortSignal;
  progress?: (text: string) => Promise<void>;
  now?: () => Date;
}

/** A finished backup: the dump, its recorded facts, and the files retention removed afterwards. */
export interface BackupOutcome {
  file: BackupFile;
  meta: BackupMeta;
  removed: string[];
}

/**
 * `pg_dump -Fc` of one database streamed into `<dir>/<target>-<db>-<UTC time>.dump` (through a `.partial`
 * file renamed when complete), its sha256 and XXH64 computed on the way into `.sha256` and `.xxh64` files, and exact row counts per
 * table taken in the same snapshot as the dump (an exported snapshot) into a `.meta.json`. Retention runs
 * afterwards and never removes the new dump.
 */
export async function takeBackup(request: BackupRequest): Promise<BackupOutcome> {
  const { target, database, signal } = request;
  const dir = target.backup.dir;
  await mkdir(dir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw new UserError(`Cannot create the backup directory ${dir}: ${error.code ?? error.message}.`);
  });
  const url = withDatabase(target.url, database);
  const started = Date.now();
  const takenAt = (request.now ?? (() => new Date()))();
  const dumpPath = `${dir.replace(/\/+$/, '')}/${backupFileName(target.name, database, takenAt)}`;
  const sidecars = sidecarsOf(dumpPath);
  const client = await openPostgresClient(backupConnection(url), signal);
  try {
    const major = await serverMajor(client);
    const serverVersion = (await client.query<{ v: string }>("select current_setting('server_version') as v")).rows[0]!.v;
    const pgDump = await findPgTool('pg_dump', major, request.lookup);
    const snapshot = await exportSnapshot(client);
    const countsBefore = snapshot === undefined ? await countsInOwnSnapshot(client, signal) : undefined;
    await request.progress?.(`dumping ${database} with ${pgDump.path}`);
    const [dumped, counted] = await Promise.allSettled([
      streamDump(pgDump.path, url, database, snapshot, sidecars.partial, signal),
      countsBefore ? Promise.resolve(countsBefore) : countRows(client, signal),
    ]);
    await client.query('rollback').catch(() => undefined);
    if (dumped.status === 'rejected') {
      await rm(sidecars.partial, { force: true });
      signal.throwIfAborted();
      throw dumpFailure(dumped.reason, url, target.name, database);
    }
    if (counted.status === 'rejected') {
      await rm(sidecars.partial, { force: true });
      signal.throwIfAborted();
      throw new CodedError('BACKUP_COUNT_FAILED', `counting rows of ${database} failed: ${errorMessage(counted.reason)}`, { target: target.name }, { cause: counted.reason });
    }
    await rename(sidecars.partial, dumpPath);
    await writeDigests(dumpPath, dumped.value.digests);
    const meta: BackupMeta = {
      version: 1,
      target: target.name,
      database,
      taken_at: takenAt.toISOString(),
      server_version: serverVersion,
      pg_dump: pgDump.version,
      counts_taken: snapshot === undefined ? 'before the dump' : 'same snapshot',
      tables: counted.value,
      size_bytes: dumped.value.size,
      sha256: dumped.value.digests.sha256,
      xxh64: dumped.value.digests.xxh64,
      duration_ms: Date.now() - started,
    };
    await writeSidecar(sidecars.meta, `${JSON.stringify(meta, null, 2)}\n`);
    const file: BackupFile = { name: dumpPath.slice(dumpPath.lastIndexOf('/') + 1), path: dumpPath, size: dumped.value.size, mtimeMs: Date.now(), takenAt };
    const removed = await applyRetention(dir, target.name, database, target.backup.retention, file, takenAt);
    return { file, meta, removed };
  } catch (error) {
    await rm(sidecars.partial, { force: true });
    throw error;
  } finally {
    await closePostgresClient(client);
  }
}

async function exportSnapshot(client: pg.Client): Promise<string | undefined> {
  await client.query('begin isolation level repeatable read read only');
  try {
    return (await client.query<{ id: string }>('select pg_export_snapshot() as id')).rows[0]!.id;
  } catch {
    await client.query('rollback');
    return undefined;
  }
}

async function countsInOwnSnapshot(client: pg.Client, signal: AbortSignal): Promise<TableCount[]> {
  await client.query('begin isolation level repeatable read read only');
  try {
    return await countRows(client, signal);
  } finally {
    await client.query('rollback');
  }
}

async function streamDump(
  pgDump: string,
  url: string,
  database: string,
  snapshot: string | undefined,
  partial: string,
  signal: AbortSignal,
): Promise<{ digests: DumpDigests; size: number }> {
  const connection = toolConnection(url, database, 'maintbot-backup');
  const args = ['--format=custom', '--no-password', `--dbname=${connection.dbname}`, ...(snapshot ? [`--snapshot=${snapshot}`] : [])];
  const output = createWriteStream(partial, { flags: 'wx' });
  const hash = await startDumpDigests();
  let size = 0;
  let streamed: Promise<void> = Promise.resolve();
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  const result = await runTool(pgDump, args, {
    env: connection.env,
    signal,
    onSpawn: (child: ChildProcess) => {
      streamed = pipeline(child.stdout!, tap, output);
      streamed.catch(() => child.kill('SIGTERM'));
    },
  });
  await streamed;
  if (result.code !== 0) throw new DumpFailed(result.stderr || `pg_dump exited with ${result.signal ?? result.code}`);
  const handle = await open(partial, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
  return { digests: hash.digests(), size };
}

class DumpFailed extends Error {}

function dumpFailure(error: unknown, url: string, target: string, database: string): Error {
  if (error instanceof UserError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return new UserError(`The backup directory ran out of space while dumping ${database} on target ${target}; the partial file was removed.`);
  if (error instanceof DumpFailed) {
    return new UserError(`pg_dump of ${database} on target ${target} failed: ${withoutPassword(stderrTail(error.message), url)}. No backup was written.`);
  }
  return new CodedError('BACKUP_DUMP_FAILED', `pg_dump of ${database} failed: ${withoutPassword(errorMessage(error), url)}`, { target, database }, { cause: error });
}
