import type { HealthCheck } from '../checks/runner.js';
import { inReportOrder, sectionTitle } from '../checks/render.js';
import { checkIds, findingKey, type Finding } from '../core/finding.js';
import type { Report, ReportLine, ReportSection } from '../core/report.js';
import type { LastRestoreTest, RestoreTimes } from '../core/system.js';
import { compareStatus, isProblem, worstStatus } from '../core/status.js';
import type { Store } from '../store/store.js';
import { recordSizes, type SizeGrowth } from './size-history.js';
import { formatBytes, formatSeconds, formatSecondsTenths } from '../render/units.js';

/** Where the previous morning report's problems are kept, to say what changed. */
export const previousProblemsKey = 'reports:morning:problems';

const topProblemCount = 5;

/** A problem as kept for tomorrow's report: `key` is the finding's `findingKey`, `text` what the reader saw. */
interface Problem {
  key: string;
  status: ReportLine['status'];
  text: string;
}

/** A problem of today's run, with the check's name and figure for the top problems. */
interface CurrentProblem extends Problem {
  name: string;
  figure: string;
}

/**
 * The morning report on one screen: overall health, what changed since the previous report, backups,
 * the top problems and database growth over 7 days. The verbose health report is behind "Show details".
 */
export async function morningReport(
  { report: health, findings }: HealthCheck,
  store: Store,
  now: Date,
  lastRestoreTest: () => Promise<LastRestoreTest | undefined> = async () => undefined,
  restoreTimes: () => Promise<RestoreTimes[]> = async () => [],
): Promise<Report> {
  const problems = problemsOf(findings);
  const previous = await store.get<{ at: string; problems: Problem[] }>(previousProblemsKey);
  await store.set(previousProblemsKey, { at: now.toISOString(), problems: problems.map(({ key, status, text }) => ({ key, status, text })) });
  const growth = await recordSizes(store, findings, now);
  const restoreTest = await lastRestoreTest().catch(() => undefined);
  const times = await restoreTimes().catch(() => []);
  const sections: ReportSection[] = [
    changesSection(problems, previous),
    backupsSection(findings, restoreTest, times, now),
    topProblemsSection(problems),
    growthSection(growth),
  ].filter((section): section is ReportSection => section !== undefined);
  return {
    kind: 'report',
    title: 'Morning report',
    status: health.status,
    summary: `Overall ${health.status}: ${health.summary ?? ''}`.trim(),
    sections,
    buttons: [{ label: 'Show details', command: 'health --verbose' }],
    context: { note: 'scheduled morning report' },
  };
}

function problemsOf(findings: readonly Finding[]): CurrentProblem[] {
  return inReportOrder(findings)
    .filter((finding) => isProblem(finding.status))
    .map((finding) => {
      const name = `${sectionTitle(finding)} · ${finding.label}`;
      return { key: findingKey(finding), status: finding.status, name, figure: finding.text, text: `${name}: ${finding.text}` };
    })
    .sort((a, b) => compareStatus(b.status, a.status));
}

function changesSection(problems: Problem[], previous: { at: string; problems: Problem[] } | undefined): ReportSection {
  if (!previous) {
    return { title: 'Since the last report', status: 'ok', lines: [{ status: 'ok', label: 'first report', value: `${problems.length} problem${problems.length === 1 ? '' : 's'} now; changes show from tomorrow` }] };
  }
  const before = new Map(previous.problems.map((problem) => [problem.key, problem]));
  const now = new Set(problems.map((problem) => problem.key));
  const lines: ReportLine[] = [];
  for (const problem of problems) {
    const earlier = before.get(problem.key);
    if (!earlier) lines.push({ status: problem.status, label: 'new', value: problem.text });
    else if (earlier.status !== problem.status) lines.push({ status: problem.status, label: `${earlier.status} → ${problem.status}`, value: problem.text });
  }
  for (const problem of previous.problems) {
    if (!now.has(problem.key)) lines.push({ status: 'ok', label: 'resolved', value: problem.text });
  }
  if (lines.length === 0) lines.push({ status: 'ok', label: 'no change', value: `same ${problems.length} problem${problems.length === 1 ? '' : 's'} as on ${previous.at.slice(0, 10)}` });
  return { title: 'Since the last report', status: worstStatus(lines.map((line) => line.status)), lines };
}

const backupChecks: readonly string[] = [checkIds.newestBackup, checkIds.backupDirectory];

function backupsSection(findings: readonly Finding[], restoreTest: LastRestoreTest | undefined, times: readonly RestoreTimes[], now: Date): ReportSection {
  const lines: ReportLine[] = inReportOrder(findings)
    .filter((finding) => backupChecks.includes(finding.checkId))
    .map((finding) => ({ status: finding.status, label: finding.target, value: finding.text }));
  if (lines.length === 0) lines.push({ status: 'unknown', label: 'newest backup', value: 'unknown: no backup target is configured' });
  lines.push(restoreTestLine(restoreTest, now));
  lines.push(...times.filter((target) => target.times.length > 0).map(restoreTimesLine));
  return { title: 'Backups', status: worstStatus(lines.map((line) => line.status)), lines };
}

function restoreTestLine(record: LastRestoreTest | undefined, now: Date): ReportLine {
  if (!record) return { status: 'unknown', label: 'last restore test', value: 'none recorded: /maint restore-test runs one' };
  const ago = formatSeconds((now.getTime() - record.at.getTime()) / 1000);
  const value = `${record.ok ? 'passed' : 'FAILED'} on ${record.target} ${ago} ago, restore took ${formatSeconds(record.durationMs / 1000)}`;
  return { status: record.ok ? 'ok' : 'crit', label: 'last restore test', value, ...(record.reason ? { note: record.reason } : {}) };
}

function restoreTimesLine({ target, times, onProductionServer }: RestoreTimes): ReportLine {
  return {
    status: 'ok',
    label: `restore times of ${target}`,
    value: `last ${times.length}: ${times.map((ms) => formatSecondsTenths(ms)).join(', ')}`,
    ...(onProductionServer ? { note: 'the newest ran on the production server' } : {}),
  };
}

function topProblemsSection(problems: CurrentProblem[]): ReportSection | undefined {
  if (problems.length === 0) return undefined;
  const shown = problems.slice(0, topProblemCount);
  const more = problems.length - shown.length;
  const lines: ReportLine[] = shown.map((problem) => ({ status: problem.status, label: problem.name, value: problem.figure }));
  if (more > 0) lines.push({ status: 'unknown', label: 'more', value: `${more} more — Show details` });
  return { title: 'Top problems', status: worstStatus(shown.map((problem) => problem.status)), lines };
}

function growthSection(growth: SizeGrowth[]): ReportSection | undefined {
  if (growth.length === 0) return undefined;
  const lines: ReportLine[] = growth.map((entry) => {
    const label = `${entry.target}/${entry.database}`;
    if (!entry.delta) return { status: 'ok', label, value: `${formatBytes(entry.bytes)} now; collecting (${entry.points} day so far)` };
    const sign = entry.delta.bytes >= 0 ? '+' : '−';
    return { status: 'ok', label, value: `${formatBytes(entry.bytes)} now, ${sign}${formatBytes(Math.abs(entry.delta.bytes))} in ${entry.delta.days} d` };
  });
  return { title: 'Database size, 7 days', status: 'ok', lines };
}
