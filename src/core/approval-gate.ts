import type { Logger } from 'pino';
import type { StepPlan } from './action.js';
import type { Invocation } from './invocation.js';
import type { Message } from './report.js';
import type { MessageHandle, MessageUpdater } from './responder.js';

/** How a run ended: all steps done, stopped by a failure, paused at a destructive step, or stopped by a shutdown. */
export type RunResult = 'completed' | 'failed' | 'waiting' | 'interrupted';

/**
 * How a run ended, for the command that started or resumed it: its result, or `refused` when its
 * pre-flight refused it and it never started; a short safe `detail`; the request it waits for.
 */
export interface RunOutcome {
  result: RunResult | 'refused';
  detail?: string;
  approvalId?: string;
}

/** How one finished step of a run went, for the run's final card: done (with its summary) or skipped by its `when:`. */
export interface StepRecord {
  id: string;
  title: string;
  outcome: 'ok' | 'skipped';
  summary?: string;
}

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
  /** The steps before it, done or skipped; absent in requests stored before step records existed. */
  steps?: StepRecord[];
  /** The run's chat message; the approval card replaces it, and the resumed run goes on updating it. */
  message: MessageHandle;
}

/** A destructive step asking for approval. */
export interface ApprovalAsk {
  run: SuspendedRun;
  plan: StepPlan;
  /** Replaces the run's chat message (with the approval card); throws when that fails. */
  show(message: Message): Promise<void>;
  /** Taken by the run's pre-flight, before anything was posted; the request holds it from now on. */
  reservation?: ApprovalReservation;
}

/** The lock of a destructive step taken before its run starts, and the id its approval request will have. */
export interface ApprovalReservation {
  /** The id the approval request will have. */
  readonly id: string;
  /** The lock key it holds (the plan's `lockKey`, else one per runbook). */
  readonly lockKey: string;
  readonly token: number;
  /** Gives the lock back when the run ends before it asks for approval. */
  release(): Promise<void>;
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
  /** The request that was approved. */
  approvalId: string;
  /** The command whose decision completed the approvals: the resumed run is part of it. */
  command: Invocation;
}

/** Resumes an approved run; resolves with how it ended (or that it waits again). */
export type ApprovedRunListener = (approved: ApprovedRun) => Promise<RunOutcome>;

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
   * Takes the lock a destructive step's plan names, before its run posts anything, so that a busy target
   * is refused privately. Throws a `UserError` naming who holds it.
   */
  reserve(runbook: string, invocation: Invocation, plan: StepPlan): Promise<ApprovalReservation>;
  /**
   * Asks for approval of a destructive step: posts the card over the run's message and keeps the run to
   * resume later; resolves with the request's id. Throws a `UserError` to refuse (e.g. the target is busy
   * with another destructive run).
   */
  requestApproval(ask: ApprovalAsk): Promise<string>;
  /** Subscribes to approvals that complete a request. */
  onApproved(listener: ApprovedRunListener): void;
}
