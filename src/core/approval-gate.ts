import type { Logger } from 'pino';
import type { StepPlan } from './action.js';
import type { Invocation } from './invocation.js';
import type { Message } from './report.js';
import type { MessageHandle, MessageUpdater } from './responder.js';

/** How a run ended: all steps done, stopped by a failure, paused at a destructive step, or stopped by a shutdown. */
export type RunResult = 'completed' | 'failed' | 'waiting' | 'interrupted';

/** A run paused before a destructive step: plain data, stored with the approval request, enough to resume it. */
export interface SuspendedRun {
  runId: string;
  runbook: string;
  params: Record<string, unknown>;
  invocation: Invocation;
  /** The step that waits (0-based) and how many steps the runbook has. */
  stepIndex: number;
  stepCount: number;
  stepTitle: string;
  outputs: Record<string, Record<string, unknown>>;
  summaries: string[];
  /** The run's chat message; the approval card replaces it, and the resumed run goes on updating it. */
  message: MessageHandle;
}

/** A destructive step asking for approval. */
export interface ApprovalAsk {
  run: SuspendedRun;
  plan: StepPlan;
  /** Replaces the run's chat message (with the approval card); throws when that fails. */
  show(message: Message): Promise<void>;
}

/** A suspended run whose step was approved: the engine resumes it at that step, acting on exactly `plan`. */
export interface ApprovedRun {
  run: SuspendedRun;
  plan: StepPlan;
  /**
   * Every later version of the run's message goes through it, so the card keeps the approval's record:
   * progress carries "approved by ana (approval k3x9q2)", the outcome becomes the final card.
   */
  frame(message: Message): Message;
  /** Where the resumed run updates its message (which it did not post in this process). */
  updater: MessageUpdater;
  logger: Logger;
}

/** Resumes an approved run; resolves when the run has ended (or waits again). */
export type ApprovedRunListener = (approved: ApprovedRun) => Promise<unknown>;

/**
 * What the engine asks at a destructive step. The approvals module implements it; it knows nothing of the
 * engine, and tells whoever subscribed when a request is approved.
 *
 * @example
 * const approvals = new ApprovalService({ store, runbooks, ruleFor, logger });
 * const engine = new RunbookEngine({ actions, runbooks, approvals, listeners: [approvals.runListener] });
 * // the engine calls approvals.onApproved((approved) => engine.resume(approved)) itself
 */
export interface ApprovalGate {
  /**
   * Asks for approval of a destructive step: posts the card over the run's message and keeps the run to
   * resume later. Throws a `UserError` to refuse (e.g. the target is busy with another destructive run).
   */
  requestApproval(ask: ApprovalAsk): Promise<void>;
  /** Subscribes to approvals that complete a request. */
  onApproved(listener: ApprovedRunListener): void;
}
