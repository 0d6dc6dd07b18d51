import type { LineStatus } from '../core/status.js';

/**
 * What the core reports for monitoring. The core sees only this interface; `PrometheusMetrics`
 * implements it with prom-client, `noMetrics` ignores everything.
 */
export interface Metrics {
  /** A command left the router with this outcome; `command` is a known command name, `help` or `unknown`. */
  commandFinished(command: string, outcome: string): void;
  /** A runbook run ended (completed, failed, waiting for approval, interrupted, lost with the bot process that ran it). */
  runbookFinished(runbook: string, result: string, seconds: number): void;
  /** An approval event: requested, approved, rejected, expired, refused. */
  approvalEvent(outcome: string): void;
  /** The latest judgement of one check of one target. */
  checkJudged(target: string, check: string, status: LineStatus): void;
  /** Time from a command's arrival to the first answer the requester saw. */
  acknowledged(platform: string, seconds: number): void;
}

/** Metrics that go nowhere: the default when observability is off, and in tests that do not look. */
export const noMetrics: Metrics = {
  commandFinished() {},
  runbookFinished() {},
  approvalEvent() {},
  checkJudged() {},
  acknowledged() {},
};

/** The gauge value of a check status: 0 ok, 1 warn, 2 crit, 3 unknown; skipped checks are not shown. */
export function checkStateValue(status: LineStatus): number | undefined {
  switch (status) {
    case 'ok':
      return 0;
    case 'warn':
      return 1;
    case 'crit':
      return 2;
    case 'unknown':
      return 3;
    case 'skipped':
      return undefined;
  }
}
