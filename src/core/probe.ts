import type { ProbeFinding, System } from './finding.js';
import type { SharedReads } from './shared-reads.js';
import type { SharedSessions } from './shared-sessions.js';

export type { System };

/**
 * A read-only check of one target. The health runner runs every probe at once, each under a timeout, except
 * that probes naming the same `server` wait for one another beyond `health.concurrency` connections.
 */
export interface Probe {
  /** The name a user narrows by: `/maint health <target>`. */
  readonly target: string;
  readonly system: System;
  /**
   * The server the probe connects to, e.g. `postgres 10.0.0.5:5432` (system and `host:port`), when other
   * targets may share it; absent for a probe that opens no connection to a shared server.
   */
  readonly server?: string;
  /**
   * How many connections to `server` the runner holds for the probe while it runs (default 1); 0 for a probe
   * that takes its slots itself, through the run's `SharedSessions`.
   */
  readonly connections?: number;
  /** An optional target that cannot be reached is reported as skipped, not critical. */
  readonly optional: boolean;
  /**
   * Runs the checks and returns one finding per judged figure.
   * Throws `TargetUnreachable` when the target cannot be reached; must stop work when `signal` aborts.
   * `shared` holds the run's server-wide reads, for probes of targets on one server to read them once, and
   * `sessions` the run's shared connections and the per-server bound on them; a probe run on its own gets none.
   */
  run(signal: AbortSignal, shared?: SharedReads, sessions?: SharedSessions): Promise<ProbeFinding[]>;
}

/** What every probe is built with, from `health:` in the config. */
export interface ProbeSettings {
  /**
   * How old figures that need a connection to each database (PostgreSQL's dead tuples and sizes) may be before a
   * run reads them again (`health.table_stats_every`); 0 reads them on every run.
   */
  tableStatsEveryMs: number;
}

/** `health.table_stats_every`'s default, 10 minutes. */
export const defaultProbeSettings: ProbeSettings = { tableStatsEveryMs: 10 * 60_000 };

/** Thrown by a probe whose target cannot be reached at all; the reason is shown to the user, with `note` as what to do. */
export class TargetUnreachable extends Error {
  override readonly name = 'TargetUnreachable';
  readonly note: string | undefined;
  constructor(reason: string, options?: { cause?: unknown; note?: string }) {
    super(reason, options);
    this.note = options?.note;
  }
}

/** How a check that could not be read is shown: the finding it stands for, why, and what to do. */
export interface UnreadCheck {
  name: Pick<ProbeFinding, 'checkId' | 'label' | 'subject'>;
  /** The server's own message for the error (never credentials). */
  reason(error: unknown): string;
  note: string;
}

/**
 * Runs one check of a probe; an error (e.g. a permission the monitoring user lacks) becomes one `unknown`
 * finding, so the other checks still report. Aborts are rethrown.
 */
export async function checkOrUnknown(read: () => Promise<ProbeFinding[]> | ProbeFinding[], unread: UnreadCheck, signal: AbortSignal): Promise<ProbeFinding[]> {
  try {
    return await read();
  } catch (error) {
    signal.throwIfAborted();
    return [{ ...unread.name, status: 'unknown', text: `could not be read (${unread.reason(error)})`, note: unread.note }];
  }
}
