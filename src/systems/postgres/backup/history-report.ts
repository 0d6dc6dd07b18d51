import type { Report, ReportLine } from '../../../core/report.js';
import { worstStatus, type Status } from '../../../core/status.js';
import { formatBytes, formatSecondsTenths } from '../../../render/units.js';
import { lastRestoreTimes } from '../../../tools/restore-history.js';
import type { RestoreTestEntry } from '../../../core/restore-tests.js';

/** How many tests of each target `/maint restore-tests` shows. */
export const restoreTestsShown = 20;

/** One target's restore tests as read for `/maint restore-tests`: the newest, how many are kept, and where. */
export interface RestoreTestHistory {
  target: string;
  /** Oldest first. */
  entries: RestoreTestEntry[];
  total: number;
  /** Where they were read, e.g. `in the audit database` or `beside the dumps`. */
  source: string;
}

export { lastRestoreTimes };

/** "12.0 s, 12.4 s, 13.1 s (+9 % over 3 tests)": the restore times, oldest first, and how the newest compares. */
export function describeRestoreTimes(times: readonly number[]): string {
  if (times.length === 0) return 'no restore measured yet';
  const shown = times.map((ms) => formatSecondsTenths(ms)).join(', ');
  if (times.length < 2 || times[0] === 0) return shown;
  const change = Math.round(((times[times.length - 1]! - times[0]!) / times[0]!) * 100);
  return `${shown} (${change >= 0 ? '+' : ''}${change} % over ${times.length} tests)`;
}

function entryLine(entry: RestoreTestEntry): ReportLine {
  const parts = [
    entry.outcome,
    ...(entry.restore_ms !== undefined ? [`RTO ${formatSecondsTenths(entry.restore_ms)}`] : []),
    ...(entry.restored_bytes !== undefined ? [formatBytes(entry.restored_bytes)] : []),
    ...(entry.tables !== undefined ? [`${entry.tables} tables${entry.rows !== undefined ? `, ${entry.rows} rows` : ''}`] : []),
    ...(entry.checks.length > 0 ? [`${entry.checks.filter((check) => check.passed).length} of ${entry.checks.length} checks passed`] : []),
    `took ${formatSecondsTenths(entry.duration_ms)}`,
    ...(entry.by ? [entry.scheduled ? `schedule ${entry.by}` : `by ${entry.by}`] : []),
    ...(entry.on_production_server ? ['on the production server'] : []),
  ];
  const note = [entry.dump, entry.reason].filter(Boolean).join(': ');
  return {
    status: entry.outcome === 'passed' ? 'ok' : entry.outcome === 'failed' ? 'crit' : 'warn',
    label: entry.at.replace('T', ' ').slice(0, 19),
    value: parts.join(' · '),
    note,
  };
}

/** The answer to `/maint restore-tests`: per target the RTO trend, then its tests, newest first. */
export function restoreTestsReport(histories: readonly RestoreTestHistory[], requestedBy: string): Report {
  const sections = histories.map(({ target, entries, total, source }) => {
    const newestFirst = [...entries].reverse();
    const lastFinished = newestFirst.find((entry) => entry.outcome !== 'interrupted');
    const status: Status = entries.length === 0 ? 'warn' : lastFinished?.outcome === 'failed' ? 'crit' : 'ok';
    const trend: ReportLine = {
      status,
      label: 'RTO trend',
      value: describeRestoreTimes(lastRestoreTimes(entries)),
      note: entries.length === 0 ? `never restore-tested (none kept ${source}); run /maint restore-test` : `${total} test${total === 1 ? '' : 's'} kept ${source}`,
    };
    const lines = [trend, ...newestFirst.slice(0, restoreTestsShown).map(entryLine)];
    return { title: target, status, lines };
  });
  const total = histories.reduce((sum, history) => sum + history.total, 0);
  return {
    kind: 'report',
    title: 'Restore tests',
    status: sections.length === 0 ? 'warn' : worstStatus(sections.map((section) => section.status)),
    summary: `${total} restore test${total === 1 ? '' : 's'} of ${histories.length} target${histories.length === 1 ? '' : 's'}.`,
    sections,
    context: { requestedBy },
  };
}
