import type { Logger } from 'pino';
import type { AuditTrail } from '../audit/audit-trail.js';
import { CodedError, errorMessage, UserError } from '../core/errors.js';
import type { Invocation } from '../core/invocation.js';
import { notice, type Message, type Report, type ReportLine } from '../core/report.js';
import type { MessageHandle, Responder } from '../core/responder.js';
import type { Metrics } from '../observability/metrics.js';
import { parseDuration } from '../core/duration.js';
import type { ActionContext, ActionDefinition, ActionRegistry, StepOutcome, StepPlan } from '../core/action.js';
import type { RunbookSpec, StepSpec } from './runbook-spec.js';
import { conditionHolds, substitute, type SubstitutionScope } from './substitute.js';

/** Everything one runbook run needs from the outside. */
export interface RunRequest {
  runbook: RunbookSpec;
  params: Record<string, unknown>;
  invocation: Invocation;
  responder: Responder;
  logger: Logger;
}

/** One step as it will run: its definition, inputs after substitution, and whether it is destructive. */
export interface PlannedStep {
  step: StepSpec;
  action: ActionDefinition<unknown>;
  input: unknown;
  destructive: boolean;
}

/** Decides what happens at a destructive step; the approvals module provides the real one. */
export interface DestructiveStepGate {
  /**
   * Called before a destructive step runs. Resolve `run` to run it now, or `stop` when the step must
   * wait (for example for an approval that resumes the runbook later).
   */
  beforeDestructiveStep(planned: PlannedStep, plan: StepPlan, request: RunRequest, state: RunState): Promise<'run' | 'stop'>;
}

/** Where a run stands: the step to run next and what earlier steps produced. */
export interface RunState {
  nextStep: number;
  outputs: Record<string, Record<string, unknown>>;
  summaries: string[];
  handle?: MessageHandle;
  /** The destructive step that was approved, with the plan the approvers saw. */
  approved?: { stepIndex: number; plan: StepPlan };
}

/** How a run ended: all steps done, stopped by a failure, paused at a destructive step, or stopped by a shutdown. */
export type RunResult = 'completed' | 'failed' | 'waiting' | 'interrupted';

/** What the engine is built from. */
export interface EngineOptions {
  actions: ActionRegistry;
  gate?: DestructiveStepGate;
  audit?: AuditTrail;
  metrics?: Pick<Metrics, 'runbookFinished'>;
}

/** Thrown into a running step when the bot shuts down before it finished. */
class RunInterrupted extends Error {}

/** The gate used when no approvals are configured: destructive steps are refused. */
export const refuseDestructiveSteps: DestructiveStepGate = {
  async beforeDestructiveStep(planned) {
    throw new UserError(`Step '${planned.step.id}' is destructive and approvals are not set up, so it will not run.`);
  },
};

const defaultStepTimeoutMs = 10 * 60_000;

/** How long an interrupted step may take to clean up (drop a scratch database, close a client) after its signal aborts. */
const interruptCleanupMs = 2_500;

/** Resolves when `promise` settles or after `ms`, whichever is first; never rejects. */
function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise.then(() => undefined, () => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() => clearTimeout(timer));
}

function auditBase(request: RunRequest) {
  const { invocation } = request;
  return {
    at: new Date(),
    invocationId: invocation.id,
    platform: invocation.platform,
    actor: { id: invocation.actor.id, name: invocation.actor.name },
    channel: invocation.channel.id,
    command: invocation.text,
    runbook: request.runbook.name,
  };
}

function safeReason(error: unknown): string {
  if (error instanceof UserError) return error.message;
  return error instanceof CodedError ? `internal error ${error.code}` : 'internal error';
}

/** Runs runbooks step by step, updating one chat message in place with progress and the outcome. */
export class RunbookEngine {
  private readonly actions: ActionRegistry;
  private readonly gate: DestructiveStepGate;
  private readonly audit: AuditTrail | undefined;
  private readonly metrics: EngineOptions['metrics'];
  private readonly running = new Set<{ interrupt: AbortController; done: Promise<RunResult> }>();

  constructor(options: EngineOptions) {
    this.actions = options.actions;
    this.gate = options.gate ?? refuseDestructiveSteps;
    this.audit = options.audit;
    this.metrics = options.metrics;
  }

  private stopping = false;

  /** At shutdown: running steps go on, but no run starts another step (it ends as `interrupted`). */
  stopStartingSteps(): void {
    this.stopping = true;
  }

  /** How many runs are in progress in this process. */
  get runningCount(): number {
    return this.running.size;
  }

  /**
   * Aborts every running run: the running step's signal is aborted and the step and the run are
   * recorded as `interrupted`. Resolves when those runs have ended, or after `timeoutMs`.
   */
  async interruptAll(timeoutMs: number): Promise<void> {
    const runs = [...this.running];
    for (const run of runs) run.interrupt.abort(new RunInterrupted('maintbot is shutting down'));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(runs.map((run) => run.done)), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  /** Runs a runbook from its first step (or from `state`, when resuming after an approval). */
  async run(request: RunRequest, resumeFrom?: RunState): Promise<RunResult> {
    const interrupt = new AbortController();
    const started = Date.now();
    const done = this.runSteps(request, resumeFrom, interrupt.signal);
    const entry = { interrupt, done };
    this.running.add(entry);
    try {
      const result = await done;
      this.metrics?.runbookFinished(request.runbook.name, result, (Date.now() - started) / 1000);
      return result;
    } finally {
      this.running.delete(entry);
    }
  }

  private async runSteps(request: RunRequest, resumeFrom: RunState | undefined, interrupted: AbortSignal): Promise<RunResult> {
    const { runbook, responder } = request;
    const state: RunState = resumeFrom ?? { nextStep: 0, outputs: {}, summaries: [] };
    const started = Date.now();
    const total = runbook.steps.length;
    const show = async (message: Message): Promise<void> => {
      try {
        if (state.handle) await responder.update(state.handle, message);
        else state.handle = await responder.reply(message);
      } catch (error) {
        request.logger.error({ err: error, runbook: runbook.name }, 'could not show runbook progress in chat; the run goes on');
      }
    };

    let lastMessage: Message | undefined;
    for (; state.nextStep < total; state.nextStep++) {
      const index = state.nextStep;
      const step = runbook.steps[index]!;
      if (interrupted.aborted || this.stopping) {
        await this.recordRunbook(request, 'interrupted', Date.now() - started, `interrupted before step ${index + 1} by a shutdown`);
        await show(notice('error', `${runbook.name} was interrupted before step ${index + 1} of ${total} because maintbot is shutting down.`));
        return 'interrupted';
      }
      const scope: SubstitutionScope = { params: request.params, steps: state.outputs };
      if (step.when !== undefined && !conditionHolds(substitute(step.when, scope))) {
        state.summaries.push(`skipped ${step.id} (condition not met)`);
        await this.recordStep(request, step, 'skipped', 0, 'condition not met');
        continue;
      }
      await show(notice('progress', `${runbook.name}: step ${index + 1} of ${total} — ${step.title ?? step.id}…`));
      const stepStarted = Date.now();
      const context = this.contextFor(request, state, index, total, step, interrupted);
      let planned: PlannedStep | undefined;
      try {
        planned = this.prepare(step, scope);
        if (planned.destructive) {
          if (state.approved?.stepIndex === index) {
            context.context.approvedPlan = state.approved.plan;
          } else {
            const plan = await planned.action.plan(planned.input, context.context);
            const decision = await this.gate.beforeDestructiveStep(planned, plan, request, state);
            if (decision === 'stop') {
              await this.recordStep(request, step, 'waiting', Date.now() - stepStarted, plan.summary, planned.input);
              return 'waiting';
            }
          }
        }
        const outcome = await this.runStep(planned, context, step, interrupted);
        state.outputs[step.id] = outcome.output ?? {};
        if (outcome.summary) state.summaries.push(outcome.summary);
        if (outcome.message) lastMessage = outcome.message;
        await this.recordStep(request, step, 'ok', Date.now() - stepStarted, outcome.summary, planned.input);
      } catch (error) {
        if (interrupted.aborted) {
          await this.recordStep(request, step, 'interrupted', Date.now() - stepStarted, 'maintbot shut down while the step ran', planned?.input);
          await this.recordRunbook(request, 'interrupted', Date.now() - started, `interrupted at step ${index + 1} by a shutdown`);
          await show(notice('error', `${runbook.name} was interrupted at step ${index + 1} of ${total} (${step.title ?? step.id}) because maintbot is shutting down; check its state before running it again.`));
          return 'interrupted';
        }
        await this.recordStep(request, step, 'failed', Date.now() - stepStarted, safeReason(error), planned?.input);
        await this.recordRunbook(request, 'failed', Date.now() - started, `failed at step ${index + 1}: ${safeReason(error)}`);
        await show(this.failureReport(request, state, index, error, Date.now() - started));
        return 'failed';
      } finally {
        context.dispose();
      }
    }
    await this.recordRunbook(request, 'completed', Date.now() - started, state.summaries.join('; ') || undefined);
    await show(lastMessage ?? this.summaryReport(request, state, Date.now() - started));
    return 'completed';
  }

  private async recordStep(request: RunRequest, step: StepSpec, outcome: string, durationMs: number, detail?: string, input?: unknown): Promise<void> {
    await this.audit?.record({
      ...auditBase(request),
      kind: 'step',
      step: step.id,
      action: step.action,
      args: input !== null && typeof input === 'object' ? (input as Record<string, unknown>) : undefined,
      outcome,
      detail,
      durationMs,
    });
  }

  private async recordRunbook(request: RunRequest, outcome: string, durationMs: number, detail?: string): Promise<void> {
    await this.audit?.record({ ...auditBase(request), kind: 'runbook', args: request.params, outcome, detail, durationMs });
  }

  /** The plan of every step, for `--dry-run`: nothing runs and nobody is asked. */
  async dryRun(request: RunRequest): Promise<Message> {
    const { runbook } = request;
    const lines: string[] = [];
    const scope: SubstitutionScope = { params: request.params, steps: {} };
    for (const [index, step] of runbook.steps.entries()) {
      const planned = this.prepare(step, scope);
      const when = step.when === undefined ? '' : ` (only if ${step.when})`;
      const context = this.contextFor(request, { nextStep: index, outputs: {}, summaries: [] }, index, runbook.steps.length, step);
      try {
        const plan = await planned.action.plan(planned.input, context.context);
        lines.push(`${index + 1}. ${planned.destructive ? '[needs approval] ' : ''}${plan.summary}${when}`);
        lines.push(...plan.detail.map((line) => `     ${line}`));
      } finally {
        context.dispose();
      }
    }
    return notice('info', `Dry run of ${runbook.name}: nothing was changed and nobody was asked.`, lines.join('\n'));
  }

  /** Builds a step's inputs after substitution and decides whether it is destructive. */
  prepare(step: StepSpec, scope: SubstitutionScope): PlannedStep {
    const action = this.actions.get(step.action);
    if (!action) throw new CodedError('ENGINE_UNKNOWN_ACTION', `unknown action ${step.action}`);
    const raw = substitute(step.with, scope);
    const parsed = action.inputs.safeParse(raw);
    if (!parsed.success) {
      const reasons = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('; ');
      throw new UserError(`Step '${step.id}' got invalid input: ${reasons}.`);
    }
    const destructive = typeof action.destructive === 'function' ? action.destructive(parsed.data) : action.destructive;
    return { step, action, input: parsed.data, destructive: destructive || step.destructive === true };
  }

  private contextFor(request: RunRequest, state: RunState, index: number, total: number, step: StepSpec, interrupted?: AbortSignal) {
    const controller = new AbortController();
    const abort = (): void => controller.abort(interrupted?.reason);
    interrupted?.addEventListener('abort', abort, { once: true });
    const logger = request.logger.child({ runbook: request.runbook.name, step: step.id });
    const context: ActionContext = {
      invocation: request.invocation,
      logger,
      signal: controller.signal,
      progress: async (text) => {
        if (!state.handle) return;
        await request.responder.update(state.handle, notice('progress', `${request.runbook.name}: step ${index + 1} of ${total} — ${text}`));
      },
    };
    return {
      context,
      controller,
      dispose: () => {
        interrupted?.removeEventListener('abort', abort);
        controller.abort();
      },
    };
  }

  private async runStep(planned: PlannedStep, context: ReturnType<RunbookEngine['contextFor']>, step: StepSpec, interrupted: AbortSignal): Promise<StepOutcome> {
    const timeoutMs = step.timeout ? parseDuration(step.timeout)! : defaultStepTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    let onInterrupt: (() => void) | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        context.controller.abort();
        reject(new UserError(`Step '${step.id}' did not finish within ${step.timeout ?? '10m'} and was stopped.`));
      }, timeoutMs);
      onInterrupt = () => {
        context.controller.abort();
        void settledWithin(running, interruptCleanupMs).then(() => reject(new RunInterrupted('maintbot is shutting down')));
      };
    });
    const running = planned.action.run(planned.input, context.context);
    if (interrupted.aborted) onInterrupt?.();
    else if (onInterrupt) interrupted.addEventListener('abort', onInterrupt, { once: true });
    try {
      return await Promise.race([running, timeout]);
    } finally {
      clearTimeout(timer);
      if (onInterrupt) interrupted.removeEventListener('abort', onInterrupt);
    }
  }

  private failureReport(request: RunRequest, state: RunState, index: number, error: unknown, durationMs: number): Report {
    const step = request.runbook.steps[index]!;
    const safe = error instanceof UserError;
    if (!safe) {
      request.logger.error({ err: error, runbook: request.runbook.name, step: step.id, code: error instanceof CodedError ? error.code : 'STEP_FAILED' }, 'runbook step failed');
    }
    const reason = safe ? error.message : `an internal error (${error instanceof CodedError ? error.code : 'STEP_FAILED'}); the bot's log has the details under invocation ${request.invocation.id}`;
    const lines: ReportLine[] = [
      ...state.summaries.map((summary): ReportLine => ({ status: 'ok', label: 'done', value: summary })),
      { status: 'crit', label: `step ${index + 1}`, value: `${step.title ?? step.id} failed`, note: reason },
    ];
    if (!safe) request.logger.debug({ message: errorMessage(error) }, 'failure detail');
    return {
      kind: 'report',
      title: `${request.runbook.name} failed at step ${index + 1} of ${request.runbook.steps.length}`,
      status: 'crit',
      sections: [{ title: request.runbook.name, status: 'crit', lines }],
      context: { requestedBy: request.invocation.actor.name, durationMs },
    };
  }

  private summaryReport(request: RunRequest, state: RunState, durationMs: number): Report {
    return {
      kind: 'report',
      title: `${request.runbook.name}: done`,
      status: 'ok',
      sections: [
        {
          title: request.runbook.name,
          status: 'ok',
          lines: state.summaries.map((summary) => ({ status: 'ok', label: 'done', value: summary })),
        },
      ],
      context: { requestedBy: request.invocation.actor.name, durationMs },
    };
  }
}
