import type { Metrics } from '../../observability/metrics.js';
import type { RunListener } from '../run-events.js';

/** Counts every run's end (also a pause for approval) with its duration. */
export function runMetrics(metrics: Pick<Metrics, 'runbookFinished'>): RunListener {
  return (event) => {
    if (event.type === 'run-finished') metrics.runbookFinished(event.run.runbook.name, event.result, event.durationMs / 1000);
  };
}
