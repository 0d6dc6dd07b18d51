import pg from 'pg';
import { UserError } from '../../../core/errors.js';
import type { PostgresTarget } from '../probe.js';
import { listArchive } from './archive.js';
import { verifyChecksum, type ChecksumCache, type ChecksumVerdict } from './checksum.js';
import type { BackupConfig } from './config.js';
import { sameServer, serverMajor, withDatabase, withPostgresClient } from '../connection.js';
import { backupConnection } from './connection.js';
import {
  backupMetaSchema,
  readSidecar,
  resolveBackup,
  sidecarsOf,
  writeSidecar,
  type BackupFile,
  type RestoreTestRecord,
  type TableCount,
} from './files.js';
import { findPgTool, type PgToolLookup } from './pg-tools.js';
import { restoreArchive } from './pg-restore.js';
import { countRows } from './row-counts.js';
import { dropDatabase, restoreServerUrl, scratchDatabaseName } from './scratch.js';
import { compareTables, runChecks, type CheckVerdict, type TableVerdict } from './validate.js';

/** What one restore test needs. */
export interface RestoreTestRequest {
  target: PostgresTarget & { backup: BackupConfig };
  /** The source database whose backups are tested. */
  database: string;
  /** A dump inside the backup directory; the newest when absent. */
  backup?: string;
  lookup: PgToolLookup;
  checksums: ChecksumCache;
  signal: AbortSignal;
  progress: (text: string) => Promise<void>;
}

/** The outcome of a restore test, passed or not, with every figure the report shows. */
export interface RestoreTestResult {
  file: BackupFile;
  passed: boolean;
  /** Why it failed, in one sentence. */
  reason?: string;
  checksum: ChecksumVerdict;
  archiveEntries?: number;
  scratchDatabase?: string;
  /** The restore time objective as measured: creating the scratch database and `pg_restore` into it. */
  restoreMs?: number;
  /** Everything, from reading the checksum to dropping the scratch database. */
  totalMs: number;
  restoredBytes?: number;
  jobs: number;
  /** Where the expected counts came from. */
  countsFrom: 'backup' | 'source' | 'none';
  tables: TableVerdict[];
  checks: CheckVerdict[];
  /** False only when dropping the scratch database failed; the orphan sweep removes it later. */
  dropped: boolean;
}

/**
 * Restores a dump into a scratch database and checks it: checksum, `pg_restore --list`, `pg_restore --jobs N
 * --no-owner --no-privileges`, tables present, row counts (against the counts recorded at backup time, else the
 * live source within the tolerance) and the configured checks. The scratch database is always dropped, also on
 * failure, abort or timeout. The result is stored beside the dump as `.restore-test.json`.
 */
export async function runRestoreTest(request: RestoreTestRequest): Promise<RestoreTestResult> {
  const started = Date.now();
  const { target, database, signal } = request;
  const settings = target.backup.restore_test;
  const file = await resolveBackup(target.backup.dir, target.name, database, request.backup);
  const result: RestoreTestResult = {
    file,
    passed: false,
    checksum: { state: 'not verified' },
    totalMs: 0,
    jobs: settings.jobs,
    countsFrom: 'none',
    tables: [],
    checks: [],
    dropped: true,
  };
  const fail = async (reason: string): Promise<RestoreTestResult> => {
    result.reason = reason;
    return finish(result, started);
  };

  const restoreAbort = new AbortController();
  const abortRestore = (): void => restoreAbort.abort();
  signal.addEventListener('abort', abortRestore, { once: true });
  const checksum = verifyChecksum(file, request.checksums, signal).then((verdict) => {
    if (verdict.state === 'mismatch') restoreAbort.abort();
    return verdict;
  });
  const checksumFailure = async (): Promise<string | undefined> => {
    result.checksum = await checksum;
    if (result.checksum.state !== 'mismatch') return undefined;
    return `checksum mismatch: the dump's sha256 is ${short(result.checksum.actual)}, but ${short(result.checksum.expected)} was recorded when it was written; the file is damaged`;
  };
  try {
    return await restoreAndValidate(request, result, restoreAbort.signal, checksumFailure, fail, started);
  } catch (error) {
    const damaged = await checksumFailure().catch(() => undefined);
    if (damaged && !signal.aborted) return fail(damaged);
    throw error;
  } finally {
    signal.removeEventListener('abort', abortRestore);
    await checksum.catch(() => undefined);
  }
}

/**
 * Everything after the checksum has started in the background: the archive list, the scratch database,
 * `pg_restore` and validation. A checksum mismatch aborts the restore and is the reason reported.
 */
async function restoreAndValidate(
  request: RestoreTestRequest,
  result: RestoreTestResult,
  signal: AbortSignal,
  checksumFailure: () => Promise<string | undefined>,
  fail: (reason: string) => Promise<RestoreTestResult>,
  started: number,
): Promise<RestoreTestResult> {
  const { target, database, file } = { ...request, file: result.file };
  const settings = target.backup.restore_test;
  await request.progress('verifying checksum while restoring');
  const serverUrl = restoreServerUrl(target);
  const scratch = scratchDatabaseName(settings.scratch_prefix, new Date());
  if (scratch === database && sameServer(serverUrl, target.url)) {
    throw new UserError(`The scratch database name ${scratch} is the source database itself; change restore_test.scratch_prefix.`);
  }
  const major = await withPostgresClient(backupConnection(serverUrl), signal, serverMajor);
  const pgRestore = await findPgTool('pg_restore', major, request.lookup);
  let archive;
  try {
    archive = await listArchive(pgRestore.path, file.path, signal);
  } catch (error) {
    const damaged = await checksumFailure();
    if (damaged) return fail(damaged);
    if (error instanceof UserError) return fail(error.message.replace(/\.$/, ''));
    throw error;
  }
  result.archiveEntries = archive.entries;

  const meta = await readSidecar(sidecarsOf(file.path).meta, backupMetaSchema);
  const expected = meta ? meta.tables : await sourceCounts(target, database, signal).catch(() => undefined);
  result.countsFrom = meta ? 'backup' : expected ? 'source' : 'none';

  const restoreStarted = Date.now();
  await withPostgresClient(backupConnection(serverUrl), signal, (client) => client.query(`create database ${pg.escapeIdentifier(scratch)} template template0`));
  result.scratchDatabase = scratch;
  try {
    await request.progress(`restoring (jobs ${settings.jobs})`);
    const scratchUrl = withDatabase(serverUrl, scratch);
    const restored = await restoreArchive({ pgRestore: pgRestore.path, file: file.path, url: scratchUrl, database: scratch, jobs: settings.jobs, scratch: true, signal }).catch(
      async (error: unknown) => {
        const damaged = await checksumFailure();
        if (damaged) return { ok: false as const, reason: damaged, damaged: true };
        throw error;
      },
    );
    result.restoreMs = Date.now() - restoreStarted;
    const damaged = await checksumFailure();
    if (damaged) return await fail(damaged);
    if (!restored.ok) return await fail(`pg_restore failed: ${restored.reason}`);

    const tables = expected ?? archive.tables;
    await request.progress(`validating ${tables.length} tables`);
    await withPostgresClient(backupConnection(scratchUrl), signal, async (client) => {
      await client.query('set statement_timeout = 60000');
      result.tables = await compareTables(client, tables, settings.row_count_tolerance_pct, signal);
      result.checks = await runChecks(client, settings.checks);
      result.restoredBytes = await databaseSize(client);
    });
    const badTables = result.tables.filter((table) => !table.passed);
    const badChecks = result.checks.filter((check) => !check.passed);
    if (badTables.length > 0) {
      return await fail(`${badTables.length} of ${result.tables.length} tables do not match: ${badTables.slice(0, 3).map((table) => `${table.table} ${table.reason}`).join('; ')}`);
    }
    if (badChecks.length > 0) {
      return await fail(`${badChecks.length} of ${result.checks.length} checks failed: ${badChecks.map((check) => `${check.name} ${check.reason}`).join('; ')}`);
    }
    result.passed = true;
    return await finish(result, started);
  } finally {
    await request.progress('dropping scratch database').catch(() => undefined);
    result.dropped = await withPostgresClient(backupConnection(serverUrl), AbortSignal.timeout(60_000), (client) => dropDatabase(client, scratch)).then(
      () => true,
      () => false,
    );
    result.totalMs = Date.now() - started;
  }
}

async function finish(result: RestoreTestResult, started: number): Promise<RestoreTestResult> {
  result.totalMs = Date.now() - started;
  const record: RestoreTestRecord = {
    at: new Date().toISOString(),
    passed: result.passed,
    ...(result.reason ? { reason: result.reason } : {}),
    duration_ms: result.restoreMs ?? result.totalMs,
    ...(result.restoredBytes !== undefined ? { restored_bytes: result.restoredBytes } : {}),
    tables: result.tables.length,
    checks: result.checks.map((check) => ({ name: check.name, passed: check.passed })),
  };
  await writeSidecar(sidecarsOf(result.file.path).restoreTest, `${JSON.stringify(record, null, 2)}\n`).catch(() => undefined);
  return result;
}

async function sourceCounts(target: PostgresTarget, database: string, signal: AbortSignal): Promise<TableCount[]> {
  return withPostgresClient(backupConnection(withDatabase(target.url, database)), signal, async (client) => {
    await client.query('begin isolation level repeatable read read only');
    try {
      return await countRows(client, signal);
    } finally {
      await client.query('rollback');
    }
  });
}

async function databaseSize(client: pg.Client): Promise<number> {
  return Number((await client.query<{ n: string }>('select pg_database_size(current_database()) as n')).rows[0]!.n);
}

function short(digest: string | undefined): string {
  return digest ? `${digest.slice(0, 12)}…` : 'unknown';
}
