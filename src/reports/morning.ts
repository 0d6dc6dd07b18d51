import type { Report, ReportLine, ReportSection } from '../core/report.js';
import { compareStatus, isProblem, worstStatus } from '../core/status.js';
import type { Store } from '../store/store.js';
import { recordSizes, type SizeGrowth } from './size-history.js';
import { formatBytes, formatSeconds } from '../render/units.js';

/** Where the previous morning report's problems are kept, to say what changed. */
export const previousProblemsKey = 'reports:morning:problems';

/** The newest restore test, as the backup module records it beside the dumps. */
export interface RestoreTestSummary {
  target: string;
  at: Date;
  ok: boolean;
  durationMs: number;
  reason?: string;
}

const topProblemCount = 5;

interface Problem {
  key: string;
  status: ReportLine['status'];
  text: string;
}

/**
 * The morning report on one screen: overall health, what changed since the previous report, backups,
 * the top problems and database growth over 7 days. The verbose health report is behind "Show details".
 */
export async function morningReport(health: Report, store: Store, now: Date, lastRestoreTest: () => Promise<RestoreTestSummary | undefined> = async () => undefined): Promise<Report> {
  const problems = problemsOf(health);
  const previous = await store.get<{ at: string; problems: Problem[] }>(previousProblemsKey);
  await store.set(previousProblemsKey, { at: now.toISOString(), problems });
  const growth = await recordSizes(store, health, now);
  const restoreTest = await lastRestoreTest().catch(() => undefined);
  const sections: ReportSection[] = [
    changesSection(problems, previous),
    backupsSection(health, restoreTest, now),
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

function problemsOf(health: Report): Problem[] {
  return health.sections
    .flatMap((section) =>
      section.lines
        .filter((line) => isProblem(line.status))
        .map((line) => ({ key: `${section.title} · ${line.label}`, status: line.status, text: `${section.title} · ${line.label}: ${line.value}` })),
    )
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

function backupsSection(health: Report, restoreTest: RestoreTestSummary | undefined, now: Date): ReportSection {
  const lines: ReportLine[] = health.sections
    .filter((section) => section.title.endsWith(' (backup)'))
    .flatMap((section) =>
      section.lines
        .filter((line) => line.label === 'newest backup' || line.label === 'backup directory')
        .map((line) => ({ status: line.status, label: section.title.replace(/ \(backup\)$/, ''), value: line.value })),
    );
  if (lines.length === 0) lines.push({ status: 'unknown', label: 'newest backup', value: 'unknown: no backup target is configured' });
  lines.push(restoreTestLine(restoreTest, now));
  return { title: 'Backups', status: worstStatus(lines.map((line) => line.status)), lines };
}

function restoreTestLine(record: RestoreTestSummary | undefined, now: Date): ReportLine {
  if (!record) return { status: 'unknown', label: 'last restore test', value: 'none recorded: /maint restore-test runs one' };
  const ago = formatSeconds((now.getTime() - record.at.getTime()) / 1000);
  const value = `${record.ok ? 'passed' : 'FAILED'} on ${record.target} ${ago} ago, restore took ${formatSeconds(record.durationMs / 1000)}`;
  return { status: record.ok ? 'ok' : 'crit', label: 'last restore test', value, ...(record.reason ? { note: record.reason } : {}) };
}

function topProblemsSection(problems: Problem[]): ReportSection | undefined {
  if (problems.length === 0) return undefined;
  const shown = problems.slice(0, topProblemCount);
  const more = problems.length - shown.length;
  const lines: ReportLine[] = shown.map((problem) => ({ status: problem.status, label: problem.key, value: problem.text.slice(problem.key.length + 2) }));
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
