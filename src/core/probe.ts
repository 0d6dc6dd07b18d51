import type { ProbeFinding, System } from './finding.js';
import type { SharedReads } from './shared-reads.js';

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
  /** How many connections to `server` one run holds at once at most (default 1). */
  readonly connections?: number;
  /** An optional target that cannot be reached is reported as skipped, not critical. */
  readonly optional: boolean;
  /**
   * Runs the checks and returns one finding per judged figure.
   * Throws `TargetUnreachable` when the target cannot be reached; must stop work when `signal` aborts.
   * `shared` holds the run's server-wide reads, for probes of targets on one server to read them once; a probe
   * run on its own gets none.
   */
  run(signal: AbortSignal, shared?: SharedReads): Promise<ProbeFinding[]>;
}

/** Thrown by a probe whose target cannot be reached at all; the reason is shown to the user. */
export class TargetUnreachable extends Error {
  override readonly name = 'TargetUnreachable';
  constructor(reason: string, options?: { cause?: unknown }) {
    super(reason, options);
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
