import type { Channel } from '../outbound/channels.js';
import type { AlertRecord } from './alert-messages.js';
import type { AlertLabels } from './matchers.js';

/**
 * Silences and maintenance windows: an alert they cover is not posted (its state still advances, so it is
 * posted when the silence ends if it is still open, and its resolved note follows only if it was posted).
 *
 * @example
 * { silencing: async (labels, now) => (labels.host === 'db-host' ? 'silence 7f3a (planned upgrade)' : undefined) }
 */
export interface AlertSilencer {
  /** What covers an alert with these labels now, as shown in logs and lists ("silence 7f3a"); undefined when nothing does. */
  silencing(labels: AlertLabels, now: number): Promise<string | undefined>;
}

/**
 * Routes: where an alert goes, by its labels. Without a matching route the run's own channels (the schedule's) are used.
 *
 * @example
 * { channelsFor: (labels, fallback) => (labels.team === 'payments' ? [{ platform: 'slack', id: 'C0PAY' }] : fallback) }
 */
export interface AlertRouter {
  channelsFor(labels: AlertLabels, fallback: readonly Channel[]): readonly Channel[];
}

/**
 * Escalation: told when an alert is posted, acked and resolved, it posts a critical alert nobody acked in time
 * to further channels with a mention.
 */
export interface AlertEscalator {
  raised(record: AlertRecord, labels: AlertLabels, level: 'warn' | 'crit', now: number): Promise<void>;
  acknowledged(record: AlertRecord, now: number): Promise<void>;
  resolved(record: AlertRecord, now: number): Promise<void>;
}
