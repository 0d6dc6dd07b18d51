import type pg from 'pg';
import type { ProbeFinding } from '../../../core/finding.js';
import { checkOrUnknown } from '../../../core/probe.js';
import type { PostgresThresholds } from './thresholds.js';

/** What every PostgreSQL check gets: the run's pipelined connection, the thresholds and the run's clock. */
export interface CheckContext {
  client: pg.Client;
  /**
   * The rows of a server-wide query (activity, settings, replication, `pg_database`): read once per server and
   * user in one health run, on the connection of the first target that asks, and shared by the others.
   */
  serverRows: <R extends pg.QueryResultRow>(sql: string, values?: unknown[]) => Promise<R[]>;
  thresholds: PostgresThresholds;
  now: Date;
  /** The databases whose per-database figures (cache hit ratio, size) are reported. */
  databases: string[];
}

/** One check: reads what it needs and judges it into findings. */
export type Check = (context: CheckContext) => Promise<ProbeFinding[]>;

/** Which finding a check that could not be read stands for. */
export type CheckName = Pick<ProbeFinding, 'checkId' | 'label' | 'subject'>;

/**
 * Runs a check; a query error (e.g. a permission the monitoring role lacks) becomes one `unknown` finding
 * named `name`, with the server's message, so the other checks still report. Aborts are rethrown.
 */
export function runCheck(name: CheckName, check: Check, context: CheckContext, signal: AbortSignal): Promise<ProbeFinding[]> {
  return checkOrUnknown(() => check(context), { name, reason: serverMessage, note: checkNote }, signal);
}

/** What to do about a check that could not be read. */
export const checkNote = 'grant the monitoring role pg_monitor, or check the server log';

/** A PostgreSQL error's own message (which carries no credentials), or a generic text for anything else. */
export function serverMessage(error: unknown): string {
  if (error instanceof Error && typeof (error as { code?: unknown }).code === 'string' && 'severity' in error) return error.message;
  return 'the connection failed during the check';
}
