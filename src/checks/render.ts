import type { Finding } from '../core/finding.js';
import { dashboardLinks, type DashboardOf } from '../core/links.js';
import type { Report, ReportLine, ReportSection } from '../core/report.js';
import { compareStatus, isProblem, worstStatus, type Status } from '../core/status.js';

/** How a health report is shown. */
export interface HealthRenderOptions {
  /** Show ok lines too, instead of counting them in `foldedOk`. */
  verbose: boolean;
  /** The target the report was narrowed to, for its title. */
  target?: string;
  requestedBy?: string;
  durationMs?: number;
  /** Each target's `dashboard_url:`, a link button on its section. */
  dashboardOf?: DashboardOf;
}

/** The report section title of a target, e.g. "main-db (postgres)". */
export function sectionTitle(finding: Pick<Finding, 'target' | 'system'>): string {
  return `${finding.target} (${finding.system})`;
}

/** The report line that shows one finding. */
export function reportLine(finding: Finding): ReportLine {
  const line: ReportLine = { status: finding.status, label: finding.label, value: finding.text };
  if (finding.threshold !== undefined) line.threshold = finding.threshold;
  if (finding.note !== undefined) line.note = finding.note;
  if (finding.detail !== undefined) line.detail = finding.detail;
  return line;
}

/** The findings of one target, in the order the report shows them. */
interface TargetFindings {
  target: string;
  system: Finding['system'];
  status: Status;
  findings: Finding[];
}

/** The findings in the order a verbose report shows them: targets with problems first, problems first within a target. */
export function inReportOrder(findings: readonly Finding[]): Finding[] {
  return byTarget(findings).flatMap((group) => group.findings);
}

/**
 * Turns the findings of one health run into the report: a section per target with problems first, ok lines
 * folded unless verbose, overall status the worst line (ok when everything was skipped).
 */
export function renderHealthReport(findings: readonly Finding[], options: HealthRenderOptions): Report {
  const groups = byTarget(findings);
  const sections = groups.map((group) => toSection(group, options.verbose, options.dashboardOf));
  const report: Report = {
    kind: 'report',
    title: options.target === undefined ? 'Health' : `Health: ${options.target}`,
    status: findings.length === 0 ? 'unknown' : judge(findings),
    summary: summarize(groups),
    sections,
    context: { durationMs: options.durationMs ?? 0 },
  };
  if (options.requestedBy !== undefined) report.context = { requestedBy: options.requestedBy, ...report.context };
  return report;
}

function byTarget(findings: readonly Finding[]): TargetFindings[] {
  const groups = new Map<string, Finding[]>();
  for (const finding of findings) {
    const key = `${finding.system}\u0000${finding.target}`;
    const group = groups.get(key);
    if (group) group.push(finding);
    else groups.set(key, [finding]);
  }
  return [...groups.values()]
    .map((group) => ({
      target: group[0]!.target,
      system: group[0]!.system,
      status: judge(group),
      findings: [...group].sort((a, b) => compareStatus(b.status, a.status)),
    }))
    .sort((a, b) => compareStatus(b.status, a.status));
}

function judge(findings: readonly Finding[]): Status {
  return findings.length > 0 && findings.every(isSkipped) ? 'ok' : worstStatus(findings.map((finding) => finding.status));
}

function isSkipped(finding: Finding): boolean {
  return finding.status === 'skipped';
}

function toSection(group: TargetFindings, verbose: boolean, dashboardOf: DashboardOf | undefined): ReportSection {
  const lines = group.findings.map(reportLine);
  const section: ReportSection = { title: sectionTitle(group), status: group.status, lines };
  const links = dashboardLinks(dashboardOf, group.target);
  if (links.length > 0) section.links = links;
  if (!verbose) {
    const shown = lines.filter((line) => line.status !== 'ok');
    if (shown.length < lines.length) {
      section.lines = shown;
      section.foldedOk = lines.length - shown.length;
    }
  }
  return section;
}

function summarize(groups: TargetFindings[]): string {
  if (groups.length === 0) return 'no targets are configured';
  const plural = (n: number) => (n === 1 ? '1 target' : `${n} targets`);
  const count = (status: Status) => groups.filter((group) => group.status === status).length;
  const skipped = groups.filter((group) => group.findings.every(isSkipped)).length;
  const skippedText = skipped > 0 ? `, ${skipped} optional skipped` : '';
  const problems = groups.filter((group) => isProblem(group.status)).length;
  if (problems === 0) return `${plural(groups.length - skipped)} ok${skippedText}`;
  const parts = (['crit', 'warn', 'unknown'] as const).filter((status) => count(status) > 0).map((status) => `${count(status)} ${status}`);
  return `${problems} of ${plural(groups.length)} need attention (${parts.join(', ')})${skippedText}`;
}
