import type { Logger } from 'pino';
import type { StepPlan } from './action.js';
import type { Invocation } from './invocation.js';
import type { Message } from './report.js';
import type { MessageHandle, MessageUpdater } from './responder.js';

/**
 * How a run ended: all steps done, stopped by a failure, paused at a destructive step, stopped by a shutdown,
 * or lost (the bot process running it died; another one found its lease expired).
 */
export type RunResult = 'completed' | 'failed' | 'waiting' | 'interrupted' | 'lost';

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
  /** Tells the requester alone, e.g. that another request for the same target is pending; absent for a resumed run. */
  tell?(message: Message): Promise<void>;
}

/** What the approved step's run does while it waits for its target's lock. */
export interface TargetWait {
  signal: AbortSignal;
  /** Shows the wait (who holds the lock, since when) in the run's message. */
  progress(text: string): Promise<void>;
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
  /**
   * Takes the lock of the target (the plan's `lockKey`) as the approved step starts, waiting a bounded time
   * while another destructive run holds it; throws a `UserError` naming that run when it is still busy.
   */
  claimTarget(wait: TargetWait): Promise<void>;
  /** Aborted when this process lost the run's lease (another replica declared the run lost). */
  leaseLost: AbortSignal;
}

/**
 * An approved run whose bot process died: its lease expired and this process declared it lost, exactly once
 * over all replicas. The engine tells its listeners (card, audit, metrics) that it ended as `lost`.
 */
export interface LostRun {
  run: SuspendedRun;
  /** The step it was at when its lease expired (0-based), which may be after the approved one. */
  lostAtStep: number;
  /** How long it ran before its last renewal. */
  durationMs: number;
  approvalId: string;
  /** The decision that resumed it: the run's audit rows go under it. */
  command: Invocation;
  frame(message: Message): Message;
  updater: MessageUpdater;
  logger: Logger;
}

/** Resumes an approved run; resolves with how it ended (or that it waits again). */
export type ApprovedRunListener = (approved: ApprovedRun) => Promise<RunOutcome>;

/** Records a run declared lost. */
export type LostRunListener = (lost: LostRun) => Promise<void>;

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
   * resume later; resolves with the request's id. A pending request holds no lock: the target's lock is
   * taken when the approved step starts (`ApprovedRun.claimTarget`).
   */
  requestApproval(ask: ApprovalAsk): Promise<string>;
  /** Subscribes to approvals that complete a request. */
  onApproved(listener: ApprovedRunListener): void;
  /** Subscribes to approved runs declared lost. */
  onLost(listener: LostRunListener): void;
}
