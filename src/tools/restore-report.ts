import type { Report, ReportLine } from '../core/report.js';
import { worstStatus } from '../core/status.js';
import { formatSecondsTenths } from '../render/units.js';

/** One table's restored rows against the count it was compared with, whichever system restored it. */
export interface TableVerdict {
  table: string;
  expected?: number;
  restored?: number;
  passed: boolean;
  reason?: string;
}

/** How one custom check of a restore test came out. */
export interface CheckVerdict {
  name: string;
  passed: boolean;
  reason?: string;
}

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
  tables: readonly TableVerdict[];
  /** What the table counts were compared with, e.g. "counts recorded at backup time". */
  countsFrom: string;
  checks: readonly CheckVerdict[];
}

/** The answer to `/maint restore-test`: a restore section, the tables against their counts, and the checks. */
export function restoreTestCard(card: RestoreTestCard): Report {
  const tables = card.tables.map(tableLine);
  const checks = card.checks.map(checkLine);
  const sections = [{ title: 'restore', status: worstStatus(card.steps.map((line) => line.status)), lines: card.steps }];
  if (tables.length > 0) sections.push({ title: `tables (against ${card.countsFrom})`, status: worstStatus(tables.map((line) => line.status)), lines: tables });
  if (checks.length > 0) sections.push({ title: 'checks', status: worstStatus(checks.map((line) => line.status)), lines: checks });
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

function tableLine(table: TableVerdict): ReportLine {
  return {
    status: table.passed ? 'ok' : 'crit',
    label: table.table,
    value: table.restored === undefined ? (table.reason ?? 'missing') : `${table.restored} rows${table.expected !== undefined ? ` (expected ${table.expected})` : ''}`,
    ...(table.reason && table.restored !== undefined ? { note: table.reason } : {}),
  };
}

function checkLine(check: CheckVerdict): ReportLine {
  return { status: check.passed ? 'ok' : 'crit', label: check.name, value: check.passed ? 'passed' : 'failed', ...(check.reason ? { note: check.reason } : {}) };
}
