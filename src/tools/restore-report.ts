import type { Report, ReportLine } from '../core/report.js';
import { worstStatus } from '../core/status.js';
import { formatSecondsTenths } from '../render/units.js';

/** What a restore test's card says, whichever system restored the dump. */
export interface RestoreTestCard {
  target: string;
  dump: string;
  passed: boolean;
  reason?: string | undefined;
  restoreMs?: number | undefined;
  totalMs: number;
  requestedBy: string;
  /** The checksum, restore time, server, scratch database and result lines. */
  steps: ReportLine[];
  tables: ReportLine[];
  /** What the table counts were compared with, e.g. "counts recorded at backup time". */
  countsFrom: string;
  checks: ReportLine[];
}

/** The answer to `/maint restore-test`: a restore section, the tables against their counts, and the checks. */
export function restoreTestCard(card: RestoreTestCard): Report {
  const sections = [{ title: 'restore', status: worstStatus(card.steps.map((line) => line.status)), lines: card.steps }];
  if (card.tables.length > 0) sections.push({ title: `tables (against ${card.countsFrom})`, status: worstStatus(card.tables.map((line) => line.status)), lines: card.tables });
  if (card.checks.length > 0) sections.push({ title: 'checks', status: worstStatus(card.checks.map((line) => line.status)), lines: card.checks });
  return {
    kind: 'report',
    title: `Restore test of ${card.dump}: ${card.passed ? 'passed' : 'FAILED'}`,
    status: card.passed ? worstStatus(sections.map((section) => section.status)) : 'crit',
    summary: card.passed
      ? `${card.target}: restored in ${formatSecondsTenths(card.restoreMs ?? 0)}, ${card.tables.length} tables and ${card.checks.length} checks as expected.`
      : `${card.target}: ${card.reason ?? 'failed'}.`,
    sections,
    context: { requestedBy: card.requestedBy, durationMs: card.totalMs },
  };
}
