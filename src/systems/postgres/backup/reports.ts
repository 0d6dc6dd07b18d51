import type { Report, ReportLine } from '../../../core/report.js';
import { restoreTestCard } from '../../../tools/restore-report.js';
import { worstStatus } from '../../../core/status.js';
import type { ChecksumState } from './checksum.js';
import type { BackupOutcome } from './dump.js';
import type { BackupFile, RestoreTestRecord } from './files.js';
import type { RestoreOutcome } from './restore.js';
import type { RestoreTestResult } from './restore-test.js';
import { formatBytes, formatSeconds, formatSecondsTenths } from '../../../render/units.js';

/** The age of a dump, e.g. "3 h 5 min". */
export function ageOf(file: BackupFile, now = Date.now()): string {
  return formatSeconds((now - file.takenAt.getTime()) / 1000);
}

/** The answer to `/maint backup`. */
export function backupReport(target: string, outcome: BackupOutcome, requestedBy: string): Report {
  const { file, meta, removed } = outcome;
  const rows = meta.tables.reduce((total, table) => total + table.rows, 0);
  const lines: ReportLine[] = [
    { status: 'ok', label: 'dump', value: `${file.path} (${formatBytes(file.size)})` },
    { status: 'ok', label: 'duration', value: formatSecondsTenths(meta.duration_ms) },
    { status: 'ok', label: 'sha256', value: meta.sha256, note: `in ${file.name}.sha256 (sha256sum format)` },
    ...(meta.xxh64 ? [{ status: 'ok' as const, label: 'xxh64', value: meta.xxh64, note: `in ${file.name}.xxh64 (xxhsum format); what restore tests and --verify check` }] : []),
    {
      status: 'ok',
      label: 'row counts',
      value: `${meta.tables.length} tables, ${rows} rows`,
      note: `counted ${meta.counts_taken === 'same snapshot' ? 'in the same snapshot as the dump' : 'just before the dump'}; in ${file.name}.meta.json`,
    },
    {
      status: 'ok',
      label: 'retention',
      value: removed.length === 0 ? 'nothing removed' : `removed ${removed.length} old backup${removed.length === 1 ? '' : 's'}`,
      ...(removed.length > 0 ? { detail: removed } : {}),
    },
  ];
  return {
    kind: 'report',
    title: `Backup of ${meta.database} on ${target}`,
    status: 'ok',
    summary: `${formatBytes(file.size)} written in ${formatSecondsTenths(meta.duration_ms)} with ${meta.pg_dump.replace(/^pg_dump \(PostgreSQL\) /, 'pg_dump ')}.`,
    sections: [{ title: target, status: 'ok', lines }],
    context: { requestedBy, durationMs: meta.duration_ms },
  };
}

/**
 * One line of `/maint backups`: a dump with its age, size, checksum state and last restore test. `checkedAt` is
 * when a remembered verdict was reached; a verdict reached now has none.
 */
export function backupLine(file: BackupFile, checksum: ChecksumState, lastTest: RestoreTestRecord | undefined, now = Date.now(), checkedAt?: Date): ReportLine {
  const test = lastTest
    ? `restore test ${lastTest.passed ? 'passed' : 'FAILED'} ${formatSeconds((now - Date.parse(lastTest.at)) / 1000)} ago (${formatSecondsTenths(lastTest.duration_ms)})`
    : 'never restore-tested';
  const status = checksum === 'mismatch' ? 'crit' : checksum === 'missing' || lastTest?.passed === false ? 'warn' : 'ok';
  return {
    status,
    label: file.name,
    value: `${ageOf(file, now)} old, ${formatBytes(file.size)}, checksum ${checksum}${checkedAt ? ` ${formatSeconds((now - checkedAt.getTime()) / 1000)} ago` : ''}, ${test}`,
    ...(lastTest?.reason ? { note: lastTest.reason } : {}),
  };
}

/** The answer to `/maint backups`. */
export function backupsReport(sections: { target: string; dir: string; lines: ReportLine[] }[], requestedBy: string, verified: boolean): Report {
  const all = sections.flatMap((section) => section.lines);
  return {
    kind: 'report',
    title: 'Backups',
    status: all.length === 0 ? 'warn' : worstStatus(all.map((line) => line.status)),
    summary: `${all.length} backup${all.length === 1 ? '' : 's'}${verified ? ', every checksum verified now' : '; add --verify to check every checksum'}.`,
    sections: sections.map((section) => {
      const lines: ReportLine[] = section.lines.length > 0 ? section.lines : [{ status: 'warn', label: 'backups', value: `none in ${section.dir}`, note: 'take one with /maint backup' }];
      return { title: section.target, status: worstStatus(lines.map((line) => line.status)), lines };
    }),
    context: { requestedBy },
  };
}

/** The answer to `/maint restore-test`: each step and check with its result, and the measured restore time. */
export function restoreTestReport(target: string, result: RestoreTestResult, requestedBy: string): Report {
  const steps: ReportLine[] = [
    {
      status: result.checksum.state === 'mismatch' ? 'crit' : result.checksum.state === 'verified' ? 'ok' : 'warn',
      label: 'checksum',
      value: result.checksum.state === 'missing' ? 'no .xxh64 or .sha256 beside the dump; not verified' : result.checksum.state,
      ...(result.checksum.algorithm ? { note: result.checksum.algorithm === 'xxh64' ? 'XXH64 of the whole file' : 'sha256 of the whole file (no .xxh64 beside this older dump)' } : {}),
    },
  ];
  if (result.archiveEntries !== undefined) steps.push({ status: 'ok', label: 'archive', value: `${result.archiveEntries} entries (pg_restore --list)` });
  if (result.restoreMs !== undefined) {
    steps.push({ status: 'ok', label: 'restore time (RTO)', value: formatSecondsTenths(result.restoreMs), note: `pg_restore --jobs ${result.jobs} into a scratch database` });
  }
  if (result.restoredBytes !== undefined) steps.push({ status: 'ok', label: 'restored size', value: formatBytes(result.restoredBytes) });
  if (result.scratchDatabase && result.onProductionServer) {
    steps.push({ status: 'ok', label: 'server', value: "the target's own (production) server", note: 'set restore_test.server_url to restore on a separate server' });
  }
  if (result.scratchDatabase) {
    steps.push(
      result.dropped
        ? { status: 'ok', label: 'scratch database', value: `${result.scratchDatabase} dropped` }
        : { status: 'warn', label: 'scratch database', value: `${result.scratchDatabase} could not be dropped`, note: 'the orphan sweep drops it at the next start' },
    );
  }
  if (!result.passed && result.reason) steps.push({ status: 'crit', label: 'result', value: 'failed', note: result.reason });
  const from = { backup: 'counts recorded at backup time', source: 'live counts of the source database', none: 'no counts to compare with' }[result.countsFrom];
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
    countsFrom: from,
    checks: result.checks,
  });
}

/** The answer to `/maint restore` once it ran. */
export function restoreReport(target: string, into: string, outcome: RestoreOutcome, requestedBy: string): Report {
  const lines: ReportLine[] = [
    { status: 'ok', label: 'restored', value: `${outcome.file.name} into ${into}`, note: `in ${formatSecondsTenths(outcome.restoreMs)}` },
    ...outcome.tables.map((table): ReportLine => ({
      status: table.passed ? 'ok' : 'crit',
      label: table.table,
      value: `${table.restored ?? 0} rows${table.expected !== undefined ? ` (backup had ${table.expected})` : ''}`,
      ...(table.reason ? { note: table.reason } : {}),
    })),
  ];
  if (outcome.containersRestarted.length > 0) lines.push({ status: 'ok', label: 'containers', value: `started again: ${outcome.containersRestarted.join(', ')}` });
  if (outcome.tables.length === 0) lines.push({ status: 'warn', label: 'row counts', value: 'not compared: no .meta.json beside the dump' });
  const status = worstStatus(lines.map((line) => line.status));
  return {
    kind: 'report',
    title: `Restore of ${into} on ${target}: ${status === 'crit' ? 'restored, but counts differ' : 'done'}`,
    status,
    summary: `${into} now holds ${outcome.file.name}.`,
    sections: [{ title: target, status, lines }],
    context: { requestedBy, durationMs: outcome.restoreMs },
  };
}
