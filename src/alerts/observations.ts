import type { Report, ReportLine } from '../core/report.js';
import type { AlertLevel } from './state-machine.js';

/** One check's result in a health report: the state machine's input, with what people read about it. */
export interface CheckResult {
  /** Stable identity across runs: target section and line label. */
  key: string;
  target: string;
  label: string;
  level: AlertLevel;
  line: ReportLine;
}

const levels: Record<ReportLine['status'], AlertLevel | undefined> = { ok: 'ok', warn: 'warn', crit: 'crit', unknown: 'warn', skipped: undefined };

/** The checks of a verbose health report; skipped lines (absent optional targets) are left out. */
export function checkResults(report: Report): CheckResult[] {
  const results = new Map<string, CheckResult>();
  for (const section of report.sections) {
    for (const line of section.lines) {
      const level = levels[line.status];
      if (level === undefined) continue;
      const key = `${section.title} · ${line.label}`;
      const earlier = results.get(key);
      if (earlier && rank(earlier.level) >= rank(level)) continue;
      results.set(key, { key, target: section.title, label: line.label, level, line });
    }
  }
  return [...results.values()];
}

function rank(level: AlertLevel): number {
  return level === 'crit' ? 2 : level === 'warn' ? 1 : 0;
}
