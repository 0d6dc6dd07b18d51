import type pg from 'pg';
import type { Logger } from 'pino';
import { UserError, errorMessage } from '../../../core/errors.js';
import { parseDuration } from '../../../core/duration.js';
import type { PostgresTarget } from '../probe.js';
import { listArchive } from './archive.js';
import { verifyChecksum, type ChecksumVerdict, type VerificationLog } from './checksum.js';
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
import { appendRestoreTest } from './history.js';
import type { RestoreTestEntry, RestoreTestLog, RestoreTestOutcome } from '../../../core/restore-tests.js';
import { restoreArchive } from './pg-restore.js';
import { countRows, IncrementalRowCounts } from './row-counts.js';
import { createScratchDatabase, dropScratchDatabase, restoreServerUrl, scratchDatabaseName } from './scratch.js';
import { compareTables, runChecks, type CheckVerdict, type TableVerdict } from './validate.js';

/** What one restore test needs. */
export interface RestoreTestRequest {
  target: PostgresTarget & { backup: BackupConfig };
  /** The source database whose backups are tested. */
  database: string;
  /** A dump inside the backup directory; the newest when absent. */
  backup?: string;
  lookup: PgToolLookup;
  checksums: VerificationLog;
  signal: AbortSignal;
  progress: (text: string) => Promise<void>;
  /** Who asked, or the schedule that started it, for the history. */
  requestedBy?: { name: string; scheduled: boolean };
  /** Where the history is also kept (the audit database), with where a failure to store it is logged. */
  log?: { tests: RestoreTestLog; logger: Logger };
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
  /** True when the scratch database was created on the target's own server (no separate `restore_test.server_url`). */
  onProductionServer: boolean;
}

/**
 * Restores a dump into a scratch database and checks it: checksum, `pg_restore --list`, `pg_restore --jobs N
 * --no-owner --no-privileges`, tables present, row counts (against the counts recorded at backup time, else the
 * live source within the tolerance) and the configured checks. The whole dump is hashed (beside `pg_restore
 * --list`, which creates nothing) and must match its `.xxh64` (else its `.sha256`) before the scratch database is
 * created. Exact row counts run over `restore_test.jobs` connections, each table's as soon as pg_restore reports its
 * data restored (while it builds indexes and restores other tables). The
 * scratch database is always dropped, also on failure, abort or timeout. A test that runs past
 * `restore_test.timeout` fails. Each test is appended to the dump's history; one stopped by `request.signal`
 * (shutdown) is recorded as `interrupted`, rethrown, and never replaces the last result (`.restore-test.json`).
 */
export async function runRestoreTest(request: RestoreTestRequest): Promise<RestoreTestResult> {
  const started = Date.now();
  const { target, database } = request;
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
    onProductionServer: sameServer(restoreServerUrl(target), target.url),
  };
  const deadline = AbortSignal.timeout(parseDuration(settings.timeout)!);
  let failure: unknown;
  try {
    await testDump({ ...request, signal: AbortSignal.any([request.signal, deadline]) }, result, started);
  } catch (error) {
    failure = error;
  }
  result.totalMs = Date.now() - started;
  if (request.signal.aborted) {
    await recordRestoreTest(request, result, 'interrupted');
    throw failure ?? request.signal.reason;
  }
  if (deadline.aborted) {
    result.passed = false;
    result.reason = `did not finish within restore_test.timeout (${settings.timeout}) and was stopped`;
  } else if (failure !== undefined) {
    result.passed = false;
    result.reason = failure instanceof UserError ? failure.message.replace(/\.$/, '') : 'an internal error; the bot\'s log has the details';
    await recordRestoreTest(request, result, 'failed');
    throw failure;
  }
  await recordRestoreTest(request, result, result.passed ? 'passed' : 'failed');
  return result;
}

/** The checksum, the archive list, the restore and validation; fills `result` as it goes. */
async function testDump(request: RestoreTestRequest, result: RestoreTestResult, started: number): Promise<RestoreTestResult> {
  const { target, database, signal } = request;
  const { file } = result;
  const settings = target.backup.restore_test;
  const fail = async (reason: string): Promise<RestoreTestResult> => {
    result.reason = reason;
    return finish(result, started);
  };

  await request.progress('verifying checksum');
  const serverUrl = restoreServerUrl(target);
  const scratch = scratchDatabaseName(settings.scratch_prefix, new Date());
  if (scratch === database && sameServer(serverUrl, target.url)) {
    throw new UserError(`The scratch database name ${scratch} is the source database itself; change restore_test.scratch_prefix.`);
  }
  const listAbort = new AbortController();
  const stopList = (): void => listAbort.abort();
  signal.addEventListener('abort', stopList, { once: true });
  const archive = (async () => {
    const major = await withPostgresClient(backupConnection(serverUrl), listAbort.signal, serverMajor);
    const pgRestore = await findPgTool('pg_restore', major, request.lookup);
    return { pgRestore, contents: await listArchive(pgRestore.path, file.path, listAbort.signal) };
  })();
  archive.catch(() => undefined);
  try {
    result.checksum = await verifyChecksum(file, signal, request.checksums);
  } catch (error) {
    listAbort.abort();
    throw error;
  } finally {
    signal.removeEventListener('abort', stopList);
  }
  if (result.checksum.state === 'mismatch') {
    listAbort.abort();
    await archive.catch(() => undefined);
    return fail(
      `checksum mismatch: the dump's ${result.checksum.algorithm} is ${short(result.checksum.actual)}, but ${short(result.checksum.expected)} was recorded when it was written; the file is damaged`,
    );
  }
  let listed;
  try {
    listed = await archive;
  } catch (error) {
    signal.throwIfAborted();
    if (error instanceof UserError) return fail(error.message.replace(/\.$/, ''));
    throw error;
  }
  result.archiveEntries = listed.contents.entries;
  return restoreAndValidate(request, result, { serverUrl, scratch, pgRestore: listed.pgRestore.path, archiveTables: listed.contents.tables, tableData: listed.contents.tableData }, fail, started);
}

/** Where the verified dump goes: the server, the scratch database's name and the `pg_restore` to use. */
interface RestorePlace {
  serverUrl: string;
  scratch: string;
  pgRestore: string;
  archiveTables: { schema: string; name: string }[];
  /** The archive's table data entries, so each table is counted as soon as its data is restored. */
  tableData: ReadonlyMap<number, string>;
}

/**
 * Everything after the checksum and the archive list passed: the scratch database, `pg_restore` and validation.
 * The scratch database is dropped whatever happens once its creation was asked for, after that creation settled.
 */
async function restoreAndValidate(
  request: RestoreTestRequest,
  result: RestoreTestResult,
  place: RestorePlace,
  fail: (reason: string) => Promise<RestoreTestResult>,
  started: number,
): Promise<RestoreTestResult> {
  const { target, database, signal } = request;
  const { file } = result;
  const { serverUrl, scratch } = place;
  const settings = target.backup.restore_test;

  const meta = await readSidecar(sidecarsOf(file.path).meta, backupMetaSchema);
  const expected = meta ? meta.tables : await sourceCounts(target, database, signal).catch(() => undefined);
  result.countsFrom = meta ? 'backup' : expected ? 'source' : 'none';
  signal.throwIfAborted();

  const restoreStarted = Date.now();
  result.scratchDatabase = scratch;
  const scratchUrl = withDatabase(serverUrl, scratch);
  const inScratch = <T>(work: (client: pg.Client) => Promise<T>): Promise<T> =>
    withPostgresClient(backupConnection(scratchUrl), signal, async (client) => {
      await client.query('set statement_timeout = 60000');
      return work(client);
    });
  const rowCounts = new IncrementalRowCounts(inScratch, settings.jobs, signal);
  try {
    await createScratchDatabase(serverUrl, scratch);
    signal.throwIfAborted();
    await request.progress(`restoring (jobs ${settings.jobs})`);
    const restored = await restoreArchive({
      pgRestore: place.pgRestore,
      file: file.path,
      url: scratchUrl,
      database: scratch,
      jobs: settings.jobs,
      scratch: true,
      signal,
      onTableData: { entries: place.tableData, restored: (table) => rowCounts.ready(table) },
    });
    result.restoreMs = Date.now() - restoreStarted;
    if (!restored.ok) return await fail(`pg_restore failed: ${restored.reason}`);

    const tables = expected ?? place.archiveTables;
    await request.progress(`validating ${tables.length} tables`);
    const [counted] = await Promise.all([
      rowCounts.all(),
      inScratch(async (client) => {
        result.checks = await runChecks(client, settings.checks);
        result.restoredBytes = await databaseSize(client);
      }),
    ]);
    result.tables = compareTables(counted, tables, settings.row_count_tolerance_pct);
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
    result.dropped = await dropScratchDatabase(serverUrl, scratch).then(
      () => true,
      () => false,
    );
    await rowCounts.settle();
    result.totalMs = Date.now() - started;
  }
}

async function finish(result: RestoreTestResult, started: number): Promise<RestoreTestResult> {
  result.totalMs = Date.now() - started;
  return result;
}

/**
 * Appends the test to the dump's history and to the audit database's when there is one; a finished test (passed or failed) also becomes the dump's last result
 * in `.restore-test.json`. Writing is best effort: a full disk must not hide the outcome.
 */
async function recordRestoreTest(request: RestoreTestRequest, result: RestoreTestResult, outcome: RestoreTestOutcome): Promise<void> {
  const at = new Date().toISOString();
  const rows = result.tables.reduce((total, table) => total + (table.restored ?? 0), 0);
  const entry: RestoreTestEntry = {
    at,
    target: request.target.name,
    dump: result.file.name,
    outcome,
    ...(outcome === 'interrupted' ? { reason: 'stopped before it finished (maintbot shut down)' } : result.reason ? { reason: result.reason } : {}),
    ...(result.restoreMs !== undefined ? { restore_ms: result.restoreMs } : {}),
    ...(result.restoredBytes !== undefined ? { restored_bytes: result.restoredBytes } : {}),
    ...(result.tables.length > 0 ? { rows, tables: result.tables.length } : {}),
    checks: result.checks.map((check) => ({ name: check.name, passed: check.passed })),
    duration_ms: result.totalMs,
    ...(request.requestedBy ? { by: request.requestedBy.name, scheduled: request.requestedBy.scheduled } : {}),
    on_production_server: result.onProductionServer && result.scratchDatabase !== undefined,
  };
  await Promise.all([
    appendRestoreTest(result.file.path, entry).catch(() => undefined),
    request.log?.tests.append(entry).catch((error: unknown) => request.log!.logger.warn({ err: errorMessage(error), target: entry.target, dump: entry.dump }, 'restore test not stored in the audit database')),
  ]);
  if (outcome === 'interrupted') return;
  const record: RestoreTestRecord = {
    at,
    passed: result.passed,
    ...(result.reason ? { reason: result.reason } : {}),
    duration_ms: result.restoreMs ?? result.totalMs,
    ...(result.restoredBytes !== undefined ? { restored_bytes: result.restoredBytes } : {}),
    tables: result.tables.length,
    checks: result.checks.map((check) => ({ name: check.name, passed: check.passed })),
  };
  await writeSidecar(sidecarsOf(result.file.path).restoreTest, `${JSON.stringify(record, null, 2)}\n`).catch(() => undefined);
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
