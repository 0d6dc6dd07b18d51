import { UserError } from './errors.js';
import type { Message } from './report.js';

/**
 * A step that ran to its end and failed, with the full answer to show: the step and its runbook count as
 * failed (audit, metrics), and chat shows `report` instead of the generic failure card.
 */
export class FailedWithReport extends UserError {
  constructor(
    message: string,
    readonly report: Message,
  ) {
    super(message);
  }
}

/** The report a failed step carries, if it carries one. */
export function reportOfFailure(error: unknown): Message | undefined {
  return error instanceof FailedWithReport ? error.report : undefined;
}
