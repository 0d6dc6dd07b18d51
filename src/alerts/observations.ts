import { inReportOrder, reportLine, sectionTitle } from '../checks/render.js';
import { findingKey, type Finding } from '../core/finding.js';
import type { LinkButton, ReportLine } from '../core/report.js';
import type { AlertLabels } from './matchers.js';
import type { AlertLevel } from './state-machine.js';

/** One check's result in a health run: the state machine's input, with what people read about it. */
export interface CheckResult {
  /** Stable identity across runs: `findingKey`, e.g. `main-db/postgres.connections`. */
  key: string;
  /** The target as alert messages name it, e.g. "main-db (postgres)". */
  target: string;
  /** The target's configured name, e.g. "main-db". */
  targetName: string;
  system: string;
  /** The finding's `checkId`, e.g. `postgres.connections`. */
  checkId: string;
  label: string;
  level: AlertLevel;
  line: ReportLine;
  /** Labels the check brings itself (a Prometheus alert's), matched beside the target's. */
  labels?: AlertLabels;
  /** Pages shown as buttons on the alert (a Prometheus alert's runbook and dashboard). */
  links?: LinkButton[];
  /** Where the check was judged, when not by maintbot's own probes, e.g. "Prometheus (Alertmanager receiver maintbot)". */
  source?: string;
}

const levels: Record<Finding['status'], AlertLevel | undefined> = { ok: 'ok', warn: 'warn', crit: 'crit', unknown: 'warn', skipped: undefined };

/** The checks of a health run, in report order; skipped findings (absent optional targets) are left out. */
export function checkResults(findings: readonly Finding[]): CheckResult[] {
  const results = new Map<string, CheckResult>();
  for (const finding of inReportOrder(findings)) {
    const level = levels[finding.status];
    if (level === undefined) continue;
    const key = findingKey(finding);
    const earlier = results.get(key);
    if (earlier && rank(earlier.level) >= rank(level)) continue;
    results.set(key, { key, target: sectionTitle(finding), targetName: finding.target, system: finding.system, checkId: finding.checkId, label: finding.label, level, line: reportLine(finding) });
  }
  return [...results.values()];
}

function rank(level: AlertLevel): number {
  return level === 'crit' ? 2 : level === 'warn' ? 1 : 0;
}
