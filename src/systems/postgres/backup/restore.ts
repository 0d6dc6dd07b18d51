import type { ContainerControl } from '../../../core/system.js';
import type pg from 'pg';
import { UserError } from '../../../core/errors.js';
import type { PostgresTarget } from '../probe.js';
import { listArchive } from './archive.js';
import { verifyChecksum, type VerificationLog } from './checksum.js';
import type { BackupConfig } from './config.js';
import { databaseOfUrl, escapeIdentifier, serverMajor, withDatabase, withPostgresClient } from '../connection.js';
import { backupConnection } from './connection.js';
import { backupMetaSchema, readSidecar, resolveBackup, sidecarsOf, type BackupFile, type BackupMeta } from './files.js';
import { findPgTool, type PgToolLookup } from './pg-tools.js';
import { restoreArchive } from './pg-restore.js';
import { dropDatabase } from './scratch.js';
import { countRows } from './row-counts.js';
import { compareTables, type TableVerdict } from './validate.js';

/** The database a restore overwrites, as it is now. */
export interface OverwrittenDatabase {
  exists: boolean;
  sizeBytes?: number;
  tables?: number;
  owner?: string;
  encoding?: string;
  collate?: string;
  ctype?: string;
}

/** Everything an approval card for a restore shows. */
export interface RestorePlanFacts {
  file: BackupFile;
  meta?: BackupMeta;
  into: string;
  current: OverwrittenDatabase;
}

/** What a restore needs. */
export interface RestoreRequest {
  target: PostgresTarget & { backup: BackupConfig };
  /** The source database, whose dumps the backup directory holds. */
  database: string;
  backup: string;
  into: string;
  lookup: PgToolLookup;
  checksums: VerificationLog;
  containers?: { names: string[]; control: ContainerControl };
  /** The dump as it was when the plan was approved; the restore refuses a file that changed since. */
  planned?: { size: number; mtimeMs: number };
  signal: AbortSignal;
  progress: (text: string) => Promise<void>;
}

/** How a restore went: timings and the row counts compared with the backup's. */
export interface RestoreOutcome {
  file: BackupFile;
  restoreMs: number;
  tables: TableVerdict[];
  containersRestarted: string[];
}

/** Reads what a restore of `backup` into `into` would overwrite, without changing anything. */
export async function inspectRestore(
  target: PostgresTarget & { backup: BackupConfig },
  database: string,
  backup: string,
  into: string,
  signal: AbortSignal,
): Promise<RestorePlanFacts> {
  const file = await resolveBackup(target.backup.dir, target.name, database, backup);
  const meta = await readSidecar(sidecarsOf(file.path).meta, backupMetaSchema);
  const current = await withPostgresClient(backupConnection(adminUrl(target, into)), signal, (client) => describeDatabase(client, target, into, signal));
  return { file, ...(meta ? { meta } : {}), into, current };
}

/**
 * Overwrites `into` with a dump: verifies the checksum and the archive first (nothing is touched when either
 * fails), stops the dependent containers, drops and recreates the database with its owner, encoding and locale,
 * runs `pg_restore --jobs N --exit-on-error`, starts the containers again and compares row counts with the ones
 * recorded at backup time. Containers stay stopped when the database was dropped and the restore then failed.
 */
export async function performRestore(request: RestoreRequest): Promise<RestoreOutcome> {
  const { target, signal } = request;
  const file = await resolveBackup(target.backup.dir, target.name, request.database, request.backup);
  if (request.planned && (request.planned.size !== file.size || request.planned.mtimeMs !== file.mtimeMs)) {
    throw new UserError(`${file.name} changed after the restore was approved (size or modification time differ); nothing was done. Ask again to see a fresh plan.`);
  }
  await request.progress('verifying checksum');
  const checksum = await verifyChecksum(file, signal, request.checksums);
  if (checksum.state === 'mismatch') throw new UserError(`${file.name} does not match its recorded ${checksum.algorithm}: the file is damaged. Nothing was done.`);
  const url = adminUrl(target, request.into);
  const major = await withPostgresClient(backupConnection(url), signal, serverMajor);
  const pgRestore = await findPgTool('pg_restore', major, request.lookup);
  await listArchive(pgRestore.path, file.path, signal);
  const meta = await readSidecar(sidecarsOf(file.path).meta, backupMetaSchema);

  const stopped: string[] = [];
  for (const name of request.containers?.names ?? []) {
    await request.progress(`stopping container ${name}`);
    await request.containers!.control.stop(name, signal);
    stopped.push(name);
  }
  const restartContainers = async (): Promise<string[]> => {
    for (const name of stopped) {
      await request.progress(`starting container ${name}`);
      await request.containers!.control.start(name, AbortSignal.timeout(120_000));
    }
    return stopped;
  };

  let dropped = false;
  const started = Date.now();
  try {
    await request.progress(`dropping and recreating ${request.into}`);
    await withPostgresClient(backupConnection(url), signal, async (client) => {
      const current = await describeDatabase(client, target, request.into, signal);
      await dropDatabase(client, request.into);
      dropped = true;
      await client.query(createDatabaseSql(request.into, current));
    });
    await request.progress(`restoring (jobs ${target.backup.restore_test.jobs})`);
    const restored = await restoreArchive({
      pgRestore: pgRestore.path,
      file: file.path,
      url: withDatabase(target.url, request.into),
      database: request.into,
      jobs: target.backup.restore_test.jobs,
      scratch: false,
      signal,
    });
    if (!restored.ok) throw new UserError(`pg_restore into ${request.into} failed: ${restored.reason}.`);
  } catch (error) {
    if (!dropped) await restartContainers();
    else if (stopped.length > 0 && error instanceof UserError) {
      throw new UserError(`${error.message} The containers ${stopped.join(', ')} were left stopped; start them with /maint start once the database is usable.`);
    }
    throw error;
  }
  const restoreMs = Date.now() - started;
  const containersRestarted = await restartContainers();

  await request.progress('validating row counts');
  const tables = meta
    ? await withPostgresClient(backupConnection(withDatabase(target.url, request.into)), signal, (client) =>
        countRows(client, signal).then((counted) => compareTables(counted, meta.tables, target.backup.restore_test.row_count_tolerance_pct)),
      )
    : [];
  return { file, restoreMs, tables, containersRestarted };
}

/** A connection for dropping and creating `into`: the target's own database, or `postgres` when that is `into`. */
function adminUrl(target: PostgresTarget, into: string): string {
  return databaseOfUrl(target.url) === into ? withDatabase(target.url, 'postgres') : target.url;
}

async function describeDatabase(client: pg.Client, target: PostgresTarget, into: string, signal: AbortSignal): Promise<OverwrittenDatabase> {
  const found = await client.query<{ owner: string; encoding: string; collate: string; ctype: string; size: string }>(
    `select pg_get_userbyid(datdba) as owner, pg_encoding_to_char(encoding) as encoding, datcollate as collate, datctype as ctype,
            pg_database_size(oid) as size
       from pg_database where datname = $1`,
    [into],
  );
  const row = found.rows[0];
  if (!row) return { exists: false };
  const tables = await withPostgresClient(backupConnection(withDatabase(target.url, into)), signal, async (inside) =>
    Number((await inside.query<{ n: string }>("select count(*) as n from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind in ('r','p') and n.nspname not in ('pg_catalog','information_schema') and n.nspname not like 'pg\\_%'")).rows[0]!.n),
  ).catch(() => undefined);
  return {
    exists: true,
    sizeBytes: Number(row.size),
    ...(tables !== undefined ? { tables } : {}),
    owner: row.owner,
    encoding: row.encoding,
    collate: row.collate,
    ctype: row.ctype,
  };
}

/** The CREATE DATABASE that brings back `into` with the owner, encoding and locale it had. */
export function createDatabaseSql(into: string, current: OverwrittenDatabase): string {
  const literal = (text: string): string => `'${text.replace(/'/g, "''")}'`;
  const options = ['template template0'];
  if (current.owner) options.push(`owner ${escapeIdentifier(current.owner)}`);
  if (current.encoding) options.push(`encoding ${literal(current.encoding)}`);
  if (current.collate) options.push(`lc_collate ${literal(current.collate)}`);
  if (current.ctype) options.push(`lc_ctype ${literal(current.ctype)}`);
  return `create database ${escapeIdentifier(into)} ${options.join(' ')}`;
}
