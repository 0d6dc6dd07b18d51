import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { UserError } from '../../../core/errors.js';
import { withoutPassword } from '../../../core/mask.js';
import { stderrTail } from '../../../tools/child-process.js';
import type { RestoreTestEntry } from '../../../tools/restore-history.js';
import { sha256File } from '../../../tools/digests.js';
import { CONNECT_TIMEOUT_MS, withMysqlDatabase, withMysqlSession, type MysqlSession } from '../connection.js';
import { quoteIdentifier } from '../actions/tables.js';
import { mysqlTools, writeDefaultsFile } from './client-tools.js';
import type { MysqlBackupConfig } from './config.js';
import { readMeta, sidecarsOf, type MysqlBackupFile } from './files.js';
import type { CheckVerdict, TableVerdict } from '../../../tools/restore-report.js';

/** What one restore test found. */
export interface MysqlRestoreTestResult {
  file: MysqlBackupFile;
  passed: boolean;
  reason?: string;
  checksum: 'verified' | 'mismatch' | 'missing';
  scratchDatabase?: string;
  dropped: boolean;
  /** The restore time as measured: creating the scratch database and loading the dump into it. */
  restoreMs?: number;
  totalMs: number;
  tables: TableVerdict[];
  checks: CheckVerdict[];
  onProductionServer: boolean;
}

/**
 * Verifies the dump's sha256 (the whole file, before anything is created), loads it with the `mariadb` client
 * into a new scratch database, compares every table's rows with the counts recorded at backup time, runs the
 * configured checks, and always drops the scratch database, whatever failed or aborted. The result is kept in
 * the dump's `.restore-tests.jsonl` in the same shape as a PostgreSQL target's.
 */
export async function restoreTest(
  request: { targetName: string; url: string; backup: MysqlBackupConfig; file: MysqlBackupFile; by: string },
  signal: AbortSignal,
): Promise<MysqlRestoreTestResult> {
  const started = Date.now();
  const serverUrl = request.backup.restore_test.server_url ?? request.url;
  const result: MysqlRestoreTestResult = {
    file: request.file,
    passed: false,
    checksum: 'missing',
    dropped: true,
    totalMs: 0,
    tables: [],
    checks: [],
    onProductionServer: request.backup.restore_test.server_url === undefined,
  };
  try {
    await verify(request.file, result, signal);
    if (result.checksum === 'verified') await restoreAndValidate(request, serverUrl, result, signal);
  } finally {
    result.totalMs = Date.now() - started;
    await appendFile(sidecarsOf(request.file.path).history, `${JSON.stringify(historyEntry(request, result))}\n`).catch(() => undefined);
  }
  return result;
}

async function verify(file: MysqlBackupFile, result: MysqlRestoreTestResult, signal: AbortSignal): Promise<void> {
  const recorded = /^([0-9a-f]{64})\b/i.exec((await readFile(sidecarsOf(file.path).sha256, 'utf8').catch(() => '')).trim())?.[1]?.toLowerCase();
  if (!recorded) {
    result.reason = `no .sha256 beside ${file.name}, so the dump cannot be trusted; nothing was restored`;
    return;
  }
  const actual = await sha256File(file.path, signal);
  result.checksum = actual === recorded ? 'verified' : 'mismatch';
  if (result.checksum === 'mismatch') result.reason = `the checksum of ${file.name} does not match its .sha256 (the dump is damaged); nothing was restored`;
}

async function restoreAndValidate(
  request: { targetName: string; backup: MysqlBackupConfig; file: MysqlBackupFile },
  serverUrl: string,
  result: MysqlRestoreTestResult,
  signal: AbortSignal,
): Promise<void> {
  const scratch = `${request.backup.restore_test.scratch_prefix}${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}_${randomBytes(3).toString('hex')}`;
  const connection = { url: serverUrl, programName: 'maintbot-restore-test', connectTimeoutMs: CONNECT_TIMEOUT_MS, unreachable: (reason: string) => new UserError(`The restore-test server is not reachable: ${reason}.`) };
  await withMysqlSession(connection, new AbortController().signal, async (admin) => {
    const loadStarted = Date.now();
    await admin.query(`CREATE DATABASE ${quoteIdentifier(scratch)}`);
    result.scratchDatabase = scratch;
    try {
      await loadDump(serverUrl, scratch, request.file, signal);
      result.restoreMs = Date.now() - loadStarted;
      await withMysqlSession({ ...connection, url: withMysqlDatabase(serverUrl, scratch) }, signal, async (session) => {
        result.tables = await compareCounts(session, scratch, request.file, request.backup.restore_test.row_count_tolerance_pct);
        result.checks = await runChecks(session, request.backup.restore_test.checks);
      });
      const failedTables = result.tables.filter((table) => !table.passed);
      const failedChecks = result.checks.filter((check) => !check.passed);
      result.passed = failedTables.length === 0 && failedChecks.length === 0;
      if (!result.passed) {
        result.reason = [
          failedTables.length > 0 ? `${failedTables.length} table${failedTables.length === 1 ? '' : 's'} did not match the backup's row counts (${failedTables.map((table) => table.table).join(', ')})` : undefined,
          failedChecks.length > 0 ? `check${failedChecks.length === 1 ? '' : 's'} failed: ${failedChecks.map((check) => check.name).join(', ')}` : undefined,
        ]
          .filter(Boolean)
          .join('; ');
      }
    } catch (error) {
      result.reason = error instanceof UserError ? error.message.replace(/\.$/, '') : "an internal error; the bot's log has the details";
      if (!(error instanceof UserError)) throw error;
    } finally {
      result.dropped = await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(scratch)}`).then(
        () => true,
        () => false,
      );
    }
  });
}

function loadDump(serverUrl: string, database: string, file: MysqlBackupFile, signal: AbortSignal): Promise<void> {
  return (async () => {
    const tools = await mysqlTools();
    const defaults = await writeDefaultsFile(serverUrl);
    try {
      await new Promise<void>((resolve, reject) => {
        const child = spawn(tools.client, [defaults.argument, '--batch', `--database=${database}`], { stdio: ['pipe', 'ignore', 'pipe'], signal });
        let stderr = '';
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-16_384)));
        createReadStream(file.path).on('error', reject).pipe(child.stdin).on('error', () => undefined);
        child.once('error', reject);
        child.once('close', (code) =>
          code === 0 ? resolve() : reject(new UserError(`${tools.client} could not load ${file.name}: ${withoutPassword(stderrTail(stderr), serverUrl)}`)),
        );
      });
    } finally {
      await defaults.remove();
    }
  })();
}

async function compareCounts(session: MysqlSession, scratch: string, file: MysqlBackupFile, tolerancePct: number): Promise<TableVerdict[]> {
  const meta = await readMeta(file.path);
  const restored = await session.query<{ name: string }>(
    "SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME",
    [scratch],
  );
  const names = new Set(restored.map((row) => row.name));
  const verdicts: TableVerdict[] = [];
  for (const table of meta?.tables ?? restored.map((row) => ({ name: row.name, rows: undefined as number | undefined }))) {
    if (!names.has(table.name)) {
      verdicts.push({ table: table.name, ...(table.rows !== undefined ? { expected: table.rows } : {}), passed: false });
      continue;
    }
    const [row] = await session.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${quoteIdentifier(scratch)}.${quoteIdentifier(table.name)}`);
    const count = Number(row?.n ?? 0);
    const allowed = table.rows === undefined ? Number.POSITIVE_INFINITY : Math.floor((table.rows * tolerancePct) / 100);
    verdicts.push({ table: table.name, ...(table.rows !== undefined ? { expected: table.rows } : {}), restored: count, passed: table.rows === undefined || Math.abs(count - table.rows) <= allowed });
  }
  return verdicts;
}

async function runChecks(session: MysqlSession, checks: MysqlBackupConfig['restore_test']['checks']): Promise<CheckVerdict[]> {
  const verdicts: CheckVerdict[] = [];
  for (const check of checks) {
    try {
      const [row] = await session.query<Record<string, unknown>>(check.sql);
      const value = row ? Object.values(row)[0] : undefined;
      const passed = value === 1 || value === true || value === '1';
      verdicts.push({ name: check.name, passed, ...(passed ? {} : { reason: `returned ${JSON.stringify(value ?? null)}, not true` }) });
    } catch (error) {
      verdicts.push({ name: check.name, passed: false, reason: (error as { sqlMessage?: string }).sqlMessage ?? 'the query failed' });
    }
  }
  return verdicts;
}

function historyEntry(request: { targetName: string; file: MysqlBackupFile; by: string }, result: MysqlRestoreTestResult): RestoreTestEntry {
  return {
    at: new Date().toISOString(),
    target: request.targetName,
    dump: request.file.name,
    outcome: result.passed ? 'passed' : 'failed',
    ...(result.reason ? { reason: result.reason } : {}),
    ...(result.restoreMs !== undefined ? { restore_ms: result.restoreMs } : {}),
    rows: result.tables.reduce((total, table) => total + (table.restored ?? 0), 0),
    tables: result.tables.length,
    checks: result.checks.map(({ name, passed }) => ({ name, passed })),
    duration_ms: result.totalMs,
    by: request.by,
    on_production_server: result.onProductionServer,
  };
}
