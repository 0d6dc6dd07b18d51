import { safeReason } from '../core/errors.js';
import type { RunEnd } from './run-events.js';

/** One safe line on how a run ended, for its audit row and the command's: what it did, or where and why it stopped. */
export function runEndDetail(end: RunEnd): string | undefined {
  switch (end.result) {
    case 'completed':
      return end.summaries.join('; ') || undefined;
    case 'failed':
      return `failed at step ${end.stepIndex + 1}: ${safeReason(end.error)}`;
    case 'interrupted':
      return `interrupted ${end.during ? 'at' : 'before'} step ${end.stepIndex + 1} ${end.cause === 'shutdown' ? 'by a shutdown' : "because this bot process lost the run's lease"}`;
    case 'lost':
      return `lost at step ${end.stepIndex + 1}: the bot process running it stopped and its lease expired; nothing more was run`;
    case 'waiting':
      return `step ${end.stepIndex + 1} waits for approval ${end.approvalId}`;
  }
}
