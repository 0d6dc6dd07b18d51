import type { LineStatus } from './status.js';

/** The system a finding is about: a system module's `system`, e.g. `postgres` or `backup`; open, so a new system is one folder and one list line. */
export type System = string;

/** What a measure counts. Times are always seconds, whatever the display shows. */
export type MeasureUnit = 'bytes' | 'seconds' | 'percent' | 'ratio' | 'count' | 'days';

/** A finding's figure as a number, for code that stores or compares it (size history, alerts, metrics). */
export interface Measure {
  value: number;
  unit: MeasureUnit;
}

/**
 * One judged check of one target: what code reads (`checkId`, `target`, `system`, `subject`, `status`,
 * `measure`) and what people read (`label`, `text`, `threshold`, `note`, `detail`). Only the renderers turn
 * the display fields into a `Report`; nothing else matches them.
 *
 * @example
 * { checkId: 'postgres.database_size', target: 'main-db', system: 'postgres', subject: 'shop', status: 'ok',
 *   measure: { value: 1610612736, unit: 'bytes' }, label: 'database size (shop)', text: '1.5 GiB' }
 */
export interface Finding {
  /** Stable across runs and display changes, `<system>.<check>`, e.g. `postgres.connections`; `reachable` and `probe` come from the runner. */
  checkId: string;
  target: string;
  system: System;
  /** What within the target the check is about when a check repeats per thing: a database, a mount, a container. */
  subject?: string;
  status: LineStatus;
  measure?: Measure;
  /** The display name of the check, e.g. "connections". */
  label: string;
  /** The display figure, e.g. "85 of 100 (85 %)". */
  text: string;
  /** The threshold that judged the figure, as shown, e.g. "warn at 80 %, crit at 95 %". */
  threshold?: string;
  /** Why it matters or what to do. */
  note?: string;
  /** Extra lines under this one, e.g. the top long-running queries. */
  detail?: string[];
}

/** A finding as a probe returns it: the health runner adds the probe's target and system. */
export type ProbeFinding = Omit<Finding, 'target' | 'system'>;

/** The check ids other modules read, beside the probes that produce them. */
export const checkIds = {
  /** Whether the target answered at all: the runner's unreachable, timed-out and skipped findings, and Redis's own. */
  reachable: 'reachable',
  /** A probe that failed or reported nothing. */
  probe: 'probe',
  /** One database's size in bytes; `subject` is the database. */
  databaseSize: 'postgres.database_size',
  /** The newest file of a backup directory. */
  newestBackup: 'backup.newest',
  /** A backup directory that cannot be read. */
  backupDirectory: 'backup.directory',
} as const;

/** The identity of one check of one target across runs: `target/checkId`, and `/subject` when there is one. */
export function findingKey(finding: Pick<Finding, 'target' | 'checkId' | 'subject'>): string {
  const key = `${finding.target}/${finding.checkId}`;
  return finding.subject === undefined ? key : `${key}/${finding.subject}`;
}
