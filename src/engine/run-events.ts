import type { Logger } from 'pino';
import type { StepPlan } from '../core/action.js';
import type { StepRecord } from '../core/approval-gate.js';
import { errorMessage } from '../core/errors.js';
import type { Invocation } from '../core/invocation.js';
import type { Message } from '../core/report.js';
import type { Responder } from '../core/responder.js';
import type { RunMessage } from './run-message.js';
import type { RunbookSpec, StepSpec } from './runbook-spec.js';

/** The run an event is about. */
export interface RunInfo {
  /** Stable over a pause for approval: the resumed run has the same id. */
  id: string;
  runbook: RunbookSpec;
  params: Record<string, unknown>;
  invocation: Invocation;
  logger: Logger;
  /** The run's one chat message: progress, the approval card and the outcome replace each other in it. */
  message: RunMessage;
  /**
   * The command this run is part of (for a resumed run, the decision that approved it): its steps are
   * recorded under that command and its end in the command's own row. Absent for a run a schedule started.
   */
  command?: Invocation;
  /** For a resumed run: the approval request that let it go on. */
  approvalId?: string;
  /** Answers the requester privately; absent for a resumed or lost run. */
  responder?: Pick<Responder, 'replyPrivately'>;
}

/** How one step ended. */
export type StepEnd = 'ok' | 'skipped' | 'failed' | 'interrupted';

/** Why a run was interrupted: the bot shuts down, or this process lost the lease of the approved run to another. */
export type InterruptCause = 'shutdown' | 'lease-lost';

/** Where a run ended, with what each kind of ending needs to be told. */
export type RunEnd =
  | { result: 'completed'; summaries: string[]; steps: StepRecord[]; /** The last step's own message, shown instead of the summary. */ message?: Message }
  | { result: 'failed'; stepIndex: number; error: unknown; summaries: string[]; steps: StepRecord[]; /** The failing step's own message, shown instead of the failure report. */ message?: Message }
  | { result: 'interrupted'; stepIndex: number; /** True when a step was running, false when the run stopped before it. */ during: boolean; cause: InterruptCause }
  | { result: 'waiting'; stepIndex: number; approvalId: string }
  /** The bot process running it died at this step: another one found its lease expired; nothing more runs. */
  | { result: 'lost'; stepIndex: number };

/** What a run tells its listeners, in order. */
export type RunEvent =
  | { type: 'step-started'; run: RunInfo; step: StepSpec; index: number }
  | { type: 'step-progress'; run: RunInfo; step: StepSpec; index: number; text: string }
  | { type: 'step-finished'; run: RunInfo; step: StepSpec; index: number; outcome: StepEnd; durationMs: number; detail?: string; input?: unknown }
  | { type: 'waiting-for-approval'; run: RunInfo; step: StepSpec; index: number; plan: StepPlan; durationMs: number; input: unknown; approvalId: string }
  | ({ type: 'run-finished'; run: RunInfo; durationMs: number } & RunEnd)
  /** The pre-flight refused the run before it posted anything or ran a step; the requester was told privately. */
  | { type: 'run-refused'; run: RunInfo; reason: string };

/** Told of every event of every run (chat progress, audit, metrics, approvals); awaited in turn. */
export type RunListener = (event: RunEvent) => Promise<void> | void;

/** Tells each listener in turn; a listener that throws is logged and the others are still told. */
export async function tellListeners(listeners: readonly RunListener[], event: RunEvent): Promise<void> {
  for (const listener of listeners) {
    try {
      await listener(event);
    } catch (error) {
      event.run.logger.error({ err: errorMessage(error), runbook: event.run.runbook.name, event: event.type }, 'a run listener failed; the run goes on');
    }
  }
}
