import { z } from 'zod';
import type { ActionDefinition } from '../../../core/action.js';
import { UserError } from '../../../core/errors.js';
import type { Report, ReportLine } from '../../../core/report.js';
import { restoreTestCard } from '../../../tools/restore-report.js';
import { formatBytes, formatSecondsTenths } from '../../../render/units.js';
import { CONNECT_TIMEOUT_MS, databaseOfMysqlUrl, withMysqlSession } from '../connection.js';
import { emptyAsAbsent, mysqlLockKey, placeInputs, resolveMysqlTarget } from '../actions/place.js';
import type { MysqlTarget } from '../target.js';
import type { MysqlBackupConfig } from './config.js';
import { countRows, dumpDatabase, type MysqlDumpOutcome } from './dump.js';
import { resolveMysqlBackup } from './files.js';
import { restoreTest, type MysqlRestoreTestResult } from './restore-test.js';

/** The MySQL target with backups configured that `name` picks, its database and its backup block. */
function backupPlace(targets: readonly MysqlTarget[], name: string | undefined): { target: MysqlTarget; database: string; backup: MysqlBackupConfig } {
  const withBackup = targets.filter((target) => target.backup);
  const target = name === undefined && withBackup.length === 1 ? withBackup[0]! : resolveMysqlTarget(name === undefined ? withBackup : targets, name);
  if (!target.backup) throw new UserError(`MySQL target ${target.name} has no backup configured.`, `Config: targets.mysql[].backup.dir for ${target.name}.`);
  const database = databaseOfMysqlUrl(target.url);
  if (!database) throw new UserError(`The URL of MySQL target ${target.name} names no database to back up.`, 'Write it as mysql://user:${PASS}@host:3306/database.');
  return { target, database, backup: target.backup };
}

/** `mysql.backup`: `mariadb-dump` of the target's database, with a sha256 and per-table row counts beside it, then retention. */
export function mysqlBackupAction(targets: readonly MysqlTarget[]): ActionDefinition<{ target?: string | undefined }> {
  return {
    name: 'mysql.backup',
    destructive: false,
    outputs: {
      file: { type: 'string', description: 'the dump file name' },
      path: { type: 'string', description: 'its full path' },
      bytes: { type: 'number', description: 'its size' },
      durationMs: { type: 'number', description: 'how long mariadb-dump took' },
      sha256: { type: 'string', description: 'its checksum' },
      removed: { type: 'list', description: 'older dumps retention removed' },
    },
    inputs: z.object({ target: placeInputs.target }),
    async plan(input) {
      const { target, database, backup } = backupPlace(targets, input.target);
      return {
        summary: `dump ${database} on target ${target.name} into ${backup.dir}`,
        detail: ['mariadb-dump --single-transaction --routines --triggers --events (the password in a mode-600 defaults file)', 'then a .sha256 and a .meta.json with the row count of every table, and retention'],
        lockKey: mysqlLockKey(target),
      };
    },
    async run(input, context) {
      const { target, database, backup } = backupPlace(targets, input.target);
      await context.progress(`dumping ${database} on ${target.name}`);
      const session = { url: target.url, programName: 'maintbot-backup', connectTimeoutMs: CONNECT_TIMEOUT_MS, unreachable: (reason: string) => new UserError(`MySQL target ${target.name} is not reachable: ${reason}.`) };
      const { tables, version } = await withMysqlSession(session, context.signal, async (connection) => ({
        tables: await countRows(connection, database),
        version: String((await connection.query<{ v: string }>('SELECT VERSION() AS v'))[0]?.v ?? '?'),
      }));
      const outcome = await dumpDatabase({ targetName: target.name, url: target.url, database, backup, serverVersion: version, tables }, context.signal);
      return {
        summary: `dumped ${database} on ${target.name}: ${formatBytes(outcome.file.size)} in ${formatSecondsTenths(outcome.meta.duration_ms)}`,
        message: backupReport(target.name, outcome, context.invocation.actor.name),
        output: { file: outcome.file.name, path: outcome.file.path, bytes: outcome.file.size, durationMs: outcome.meta.duration_ms, sha256: outcome.meta.sha256, removed: outcome.removed },
      };
    },
  };
}

/** `mysql.restore-test`: restores a dump into a scratch database, validates it, always drops it, and reports the restore time. */
export function mysqlRestoreTestAction(targets: readonly MysqlTarget[]): ActionDefinition<{ target?: string | undefined; backup?: string | undefined }> {
  return {
    name: 'mysql.restore-test',
    destructive: false,
    outputs: {
      passed: { type: 'boolean', description: 'the restore and its validation passed' },
      file: { type: 'string', description: 'the dump that was restored' },
      restoreMs: { type: 'number', description: 'the restore time (null when it did not finish)' },
      reason: { type: 'string', description: 'why it failed (null when it passed)' },
    },
    inputs: z.object({ target: placeInputs.target, backup: z.preprocess(emptyAsAbsent, z.string().min(1).optional()) }),
    async plan(input) {
      const { target, database, backup } = backupPlace(targets, input.target);
      const file = await resolveMysqlBackup(backup.dir, target.name, database, input.backup);
      return {
        summary: `restore test of ${file.name} (target ${target.name})`,
        detail: ['verify the sha256, load the dump into a scratch database, compare row counts, run the checks, drop the scratch database'],
        lockKey: `${mysqlLockKey(target)}:restore-test`,
      };
    },
    async run(input, context) {
      const { target, database, backup } = backupPlace(targets, input.target);
      const file = await resolveMysqlBackup(backup.dir, target.name, database, input.backup);
      await context.progress(`restore test of ${file.name}`);
      const result = await restoreTest({ targetName: target.name, url: target.url, backup, file, by: context.invocation.actor.name }, context.signal);
      return {
        summary: result.passed ? `restore test of ${file.name} passed in ${formatSecondsTenths(result.restoreMs ?? 0)}` : `restore test of ${file.name} failed`,
        message: restoreTestReport(target.name, result, context.invocation.actor.name),
        output: { passed: result.passed, file: file.name, restoreMs: result.restoreMs ?? null, reason: result.reason ?? null },
        ...(result.passed ? {} : { failure: `The restore test of ${file.name} failed: ${result.reason ?? 'see the report'}.` }),
      };
    },
  };
}

function backupReport(target: string, { file, meta, removed }: MysqlDumpOutcome, requestedBy: string): Report {
  const rows = meta.tables.reduce((total, table) => total + table.rows, 0);
  const lines: ReportLine[] = [
    { status: 'ok', label: 'dump', value: `${file.path} (${formatBytes(file.size)})` },
    { status: 'ok', label: 'duration', value: formatSecondsTenths(meta.duration_ms) },
    { status: 'ok', label: 'sha256', value: meta.sha256, note: `in ${file.name}.sha256 (sha256sum format)` },
    { status: 'ok', label: 'row counts', value: `${meta.tables.length} tables, ${rows} rows`, note: `counted just before the dump; in ${file.name}.meta.json` },
    { status: 'ok', label: 'retention', value: removed.length === 0 ? 'nothing removed' : `removed ${removed.length} old backup${removed.length === 1 ? '' : 's'}`, ...(removed.length > 0 ? { detail: removed } : {}) },
  ];
  return {
    kind: 'report',
    title: `Backup of ${meta.database} on ${target}`,
    status: 'ok',
    summary: `${formatBytes(file.size)} written in ${formatSecondsTenths(meta.duration_ms)} with ${meta.dump_tool.split(' ')[0] ?? 'mariadb-dump'}.`,
    sections: [{ title: target, status: 'ok', lines }],
    context: { requestedBy, durationMs: meta.duration_ms },
  };
}

function restoreTestReport(target: string, result: MysqlRestoreTestResult, requestedBy: string): Report {
  const steps: ReportLine[] = [
    { status: result.checksum === 'verified' ? 'ok' : 'crit', label: 'checksum', value: result.checksum === 'missing' ? 'no .sha256 beside the dump; not verified' : result.checksum },
  ];
  if (result.restoreMs !== undefined) steps.push({ status: 'ok', label: 'restore time (RTO)', value: formatSecondsTenths(result.restoreMs), note: 'the mariadb client loading the dump into a scratch database' });
  if (result.scratchDatabase && result.onProductionServer) steps.push({ status: 'ok', label: 'server', value: "the target's own (production) server", note: 'set restore_test.server_url to restore on a separate server' });
  if (result.scratchDatabase) {
    steps.push(result.dropped ? { status: 'ok', label: 'scratch database', value: `${result.scratchDatabase} dropped` } : { status: 'warn', label: 'scratch database', value: `${result.scratchDatabase} could not be dropped`, note: 'drop it by hand' });
  }
  if (!result.passed && result.reason) steps.push({ status: 'crit', label: 'result', value: 'failed', note: result.reason });
  return restoreTestCard({
    target,
    dump: result.file.name,
    passed: result.passed,
    reason: result.reason,
    restoreMs: result.restoreMs,
    totalMs: result.totalMs,
    requestedBy,
    steps,
    tables: result.tables,
    countsFrom: 'counts recorded at backup time',
    checks: result.checks,
  });
}
