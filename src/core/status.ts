/** The judgement of one check or of a whole report. */
export type Status = 'ok' | 'warn' | 'crit' | 'unknown';

/** A line may also be skipped: an optional target that is absent is neither good nor bad. */
export type LineStatus = Status | 'skipped';

const severity: Record<LineStatus, number> = { skipped: -1, ok: 0, unknown: 1, warn: 2, crit: 3 };

/** Orders statuses from least to most severe. */
export function compareStatus(a: LineStatus, b: LineStatus): number {
  return severity[a] - severity[b];
}

/** The most severe of the given statuses; skipped lines do not count, and nothing at all is unknown. */
export function worstStatus(statuses: Iterable<LineStatus>): Status {
  let worst: Status | undefined;
  for (const status of statuses) {
    if (status === 'skipped') continue;
    if (worst === undefined || severity[status] > severity[worst]) worst = status;
  }
  return worst ?? 'unknown';
}

/** True for statuses a reader must look at. */
export function isProblem(status: LineStatus): boolean {
  return status === 'warn' || status === 'crit' || status === 'unknown';
}
