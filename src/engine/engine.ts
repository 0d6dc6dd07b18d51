import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { ActionContext, ActionDefinition, ActionRegistry, StepOutcome, StepPlan } from '../core/action.js';
import type { ApprovalGate, ApprovedRun, LostRun, RunOutcome, RunResult, StepRecord, TargetWait } from '../core/approval-gate.js';
import { parseDuration } from '../core/duration.js';
import { CodedError, errorCodeOf, safeReason, UserError } from '../core/errors.js';
import type { Invocation } from '../core/invocation.js';
import { notice, type Message } from '../core/report.js';
import type { Responder } from '../core/responder.js';
import type { RunbookCatalog } from './runbook-catalog.js';
import type { RunbookSpec, StepSpec } from './runbook-spec.js';
import { tellListeners, type InterruptCause, type RunEnd, type RunEvent, type RunInfo, type RunListener } from './run-events.js';
import { RunMessage } from './run-message.js';
import { knownUpFront, preflight, type Preflight } from './preflight.js';
import { runEndDetail } from './run-detail.js';
import { conditionHolds, referencesIn, substitute, type SubstitutionScope } from './substitute.js';

export type { RunOutcome, RunResult };

/** Everything one runbook run needs from the outside. */
export interface RunRequest {
  runbook: RunbookSpec;
  params: Record<string, unknown>;
  invocation: Invocation;
  responder: Responder;
  logger: Logger;
  /** The command this run answers, when a person's command started it: the run's end is recorded in its row. */
  command?: Invocation;
  /** The answer goes to the requester alone and no progress is posted (read-only runs such as `logs`); such a run cannot ask for approval. */
  privately?: boolean;
}

/** One step as it will run: its definition, inputs after substitution, and whether it is destructive. */
export interface PlannedStep {
  step: StepSpec;
  action: ActionDefinition<unknown>;
  input: unknown;
  destructive: boolean;
}

/** Where a run stands: the step to run next and what earlier steps produced. */
interface RunState {
  nextStep: number;
  outputs: Record<string, Record<string, unknown>>;
  summaries: string[];
  /** Each finished step, done or skipped, for the final card. */
  steps: StepRecord[];
  /** The destructive step that was approved, with the plan the approvers saw and how it takes its target's lock. */
  approved?: { stepIndex: number; plan: StepPlan; claimTarget(wait: TargetWait): Promise<void> };
  /** What the pre-flight planned; its plans stand only until a step has run. */
  preflight?: Preflight;
}

/** What the engine is built from. */
export interface EngineOptions {
  actions: ActionRegistry;
  /** Where approved runs are looked up to resume. */
  runbooks: RunbookCatalog;
  /** Asked at destructive steps; without it they are refused. The engine resumes the runs it approves. */
  approvals?: ApprovalGate;
  /** Told of every run event in this order: chat progress, audit, metrics, approvals… */
  listeners?: readonly RunListener[];
}

/** Thrown into a running step when the bot shuts down before it finished, or this process lost the run's lease. */
class RunInterrupted extends Error {
  constructor(readonly interruptCause: InterruptCause) {
    super(interruptCause === 'shutdown' ? 'maintbot is shutting down' : "this bot process lost the run's lease");
  }
}

const defaultStepTimeoutMs = 10 * 60_000;

/** How long an interrupted step may take to clean up (drop a scratch database, close a client) after its signal aborts. */
const interruptCleanupMs = 2_500;

function notApprovable(step: StepSpec): UserError {
  return new UserError(`Step '${step.id}' is destructive and approvals are not set up, so it will not run.`);
}

/** Why a run was interrupted: a shutdown, or its lease was lost. */
function interruptCause(interrupted: AbortSignal): InterruptCause {
  return interrupted.reason instanceof RunInterrupted ? interrupted.reason.interruptCause : 'shutdown';
}

/** Resolves when `promise` settles or after `ms`, whichever is first; never rejects. */
function settledWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise.then(() => undefined, () => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]).finally(() => clearTimeout(timer));
}

/**
 * Runs runbooks step by step and tells its listeners what happens (step started, finished, waiting for
 * approval, run finished); chat progress, audit and metrics are such listeners. A destructive step asks
 * the approval gate and the run pauses; the gate's approval resumes it by its id.
 */
export class RunbookEngine {
  private readonly actions: ActionRegistry;
  private readonly runbooks: RunbookCatalog;
  private readonly approvals: ApprovalGate | undefined;
  private readonly listeners: readonly RunListener[];
  private readonly running = new Set<{ interrupt: AbortController; done: Promise<RunOutcome> }>();
  private stopping = false;

  constructor(options: EngineOptions) {
    this.actions = options.actions;
    this.runbooks = options.runbooks;
    this.approvals = options.approvals;
    this.listeners = options.listeners ?? [];
    this.approvals?.onApproved((approved) => this.resume(approved));
    this.approvals?.onLost((lost) => this.recordLost(lost));
  }

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
    for (const run of runs) run.interrupt.abort(new RunInterrupted('shutdown'));
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(runs.map((run) => run.done)), new Promise((resolve) => (timer = setTimeout(resolve, timeoutMs)))]);
    clearTimeout(timer);
  }

  /**
   * Runs a runbook from its first step, once its pre-flight passed: what each step names is checked before
   * anything is posted (no lock is taken: that happens when an approved step starts). A run the pre-flight refuses
   * never starts: the requester is told privately, `run-refused` is the only event, and the outcome is `refused`.
   */
  async run(request: RunRequest): Promise<RunOutcome> {
    const run: RunInfo = { id: randomUUID(), ...request, message: request.privately ? RunMessage.privately(request.responder) : RunMessage.replyingWith(request.responder) };
    let checked: Preflight;
    try {
      checked = await this.preflight(run);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      await this.refuse(run, request.responder, error);
      await tellListeners(this.listeners, { type: 'run-refused', run, reason: error.message });
      return { result: 'refused', detail: error.message };
    }
    return this.track(run, { nextStep: 0, outputs: {}, summaries: [], steps: [], preflight: checked });
  }

  /** Resumes an approved run at its destructive step, which acts on exactly the approved plan. */
  async resume(approved: ApprovedRun): Promise<RunOutcome> {
    const { run: suspended } = approved;
    const runbook = this.runbooks.get(suspended.runbook);
    if (!runbook) throw new CodedError('ENGINE_UNKNOWN_RUNBOOK', `approved runbook ${suspended.runbook} is not loaded`, { runId: suspended.runId });
    const run: RunInfo = {
      id: suspended.runId,
      runbook,
      params: suspended.params,
      invocation: suspended.invocation,
      logger: approved.logger,
      message: RunMessage.resumed(approved.updater, suspended.message, (message) => approved.frame(message)),
      command: approved.command,
      approvalId: approved.approvalId,
    };
    return this.track(
      run,
      {
        nextStep: suspended.stepIndex,
        outputs: suspended.outputs,
        summaries: suspended.summaries,
        steps: suspended.steps ?? [],
        approved: { stepIndex: suspended.stepIndex, plan: approved.plan, claimTarget: (wait) => approved.claimTarget(wait) },
      },
      approved.leaseLost,
    );
  }

  /** Tells the listeners that an approved run another process was running ended as `lost` (card, audit, metrics). */
  async recordLost(lost: LostRun): Promise<void> {
    const { run: suspended } = lost;
    const runbook = this.runbooks.get(suspended.runbook);
    if (!runbook) throw new CodedError('ENGINE_UNKNOWN_RUNBOOK', `lost runbook ${suspended.runbook} is not loaded`, { runId: suspended.runId });
    const run: RunInfo = {
      id: suspended.runId,
      runbook,
      params: suspended.params,
      invocation: suspended.invocation,
      logger: lost.logger,
      message: RunMessage.resumed(lost.updater, suspended.message, (message) => lost.frame(message)),
      command: lost.command,
      approvalId: lost.approvalId,
    };
    await tellListeners(this.listeners, { type: 'run-finished', run, durationMs: lost.durationMs, result: 'lost', stepIndex: lost.lostAtStep });
  }

  private preflight(run: RunInfo): Promise<Preflight> {
    return preflight(run.runbook, run.params, {
      plan: async (step, index, scope) => {
        const planned = this.prepare(step, scope);
        const context = this.contextFor(run, index, step);
        try {
          const plan = await planned.action.plan(planned.input, context.context);
          if (planned.destructive && !this.approvals) throw notApprovable(step);
          return { destructive: planned.destructive, plan };
        } finally {
          context.dispose();
        }
      },
    });
  }

  private async refuse(run: RunInfo, responder: Responder, error: UserError): Promise<void> {
    try {
      await responder.replyPrivately(notice('error', error.message, error.hint));
    } catch (sendError) {
      run.logger.error({ err: sendError, runbook: run.runbook.name }, 'could not tell the requester why the run was refused');
    }
  }

  private async track(run: RunInfo, state: RunState, lost?: AbortSignal): Promise<RunOutcome> {
    const interrupt = new AbortController();
    const onLost = (): void => interrupt.abort(new RunInterrupted('lease-lost'));
    lost?.addEventListener('abort', onLost, { once: true });
    const done = this.runSteps(run, state, interrupt.signal);
    const entry = { interrupt, done };
    this.running.add(entry);
    try {
      return await done;
    } finally {
      lost?.removeEventListener('abort', onLost);
      this.running.delete(entry);
    }
  }

  private async runSteps(run: RunInfo, state: RunState, interrupted: AbortSignal): Promise<RunOutcome> {
    const started = Date.now();
    const total = run.runbook.steps.length;
    const tell = (event: RunEvent): Promise<void> => tellListeners(this.listeners, event);
    const finish = async (end: RunEnd): Promise<RunOutcome> => {
      await tell({ type: 'run-finished', run, durationMs: Date.now() - started, ...end });
      return { result: end.result, detail: runEndDetail(end), ...(end.result === 'waiting' ? { approvalId: end.approvalId } : {}) };
    };

    let lastMessage: Message | undefined;
    for (; state.nextStep < total; state.nextStep++) {
      const index = state.nextStep;
      const step = run.runbook.steps[index]!;
      if (interrupted.aborted || this.stopping) return finish({ result: 'interrupted', stepIndex: index, during: false, cause: interruptCause(interrupted) });
      const scope: SubstitutionScope = { params: run.params, steps: state.outputs };
      const title = step.title ?? step.id;
      let holds: boolean;
      try {
        holds = step.when === undefined || conditionHolds(step.when, scope, step.id);
      } catch (error) {
        await tell({ type: 'step-finished', run, step, index, outcome: 'failed', durationMs: 0, detail: safeReason(error) });
        return finish({ result: 'failed', stepIndex: index, error, summaries: state.summaries, steps: state.steps });
      }
      if (!holds) {
        const detail = `skipped: ${step.when} is false`;
        state.steps.push({ id: step.id, title, outcome: 'skipped', summary: detail });
        await tell({ type: 'step-finished', run, step, index, outcome: 'skipped', durationMs: 0, detail });
        continue;
      }
      await tell({ type: 'step-started', run, step, index });
      const stepStarted = Date.now();
      const context = this.contextFor(run, index, step, interrupted);
      let planned: PlannedStep | undefined;
      try {
        planned = this.prepare(step, scope);
        if (planned.destructive) {
          if (state.approved?.stepIndex === index) {
            context.context.approvedPlan = state.approved.plan;
            await state.approved.claimTarget({ signal: context.controller.signal, progress: context.context.progress });
          } else {
            const plan = state.preflight?.plans.get(index) ?? (await planned.action.plan(planned.input, context.context));
            const approvalId = await this.askApproval(run, state, planned, plan);
            await tell({ type: 'waiting-for-approval', run, step, index, plan, durationMs: Date.now() - stepStarted, input: planned.input, approvalId });
            return await finish({ result: 'waiting', stepIndex: index, approvalId });
          }
        }
        const outcome = await this.runStep(planned, context, step, interrupted);
        state.preflight?.plans.clear();
        state.outputs[step.id] = outcome.output ?? {};
        if (outcome.summary) state.summaries.push(outcome.summary);
        if (outcome.message) lastMessage = outcome.message;
        if (outcome.failure !== undefined) {
          await tell({ type: 'step-finished', run, step, index, outcome: 'failed', durationMs: Date.now() - stepStarted, detail: outcome.failure, input: planned.input });
          return await finish({ result: 'failed', stepIndex: index, error: new UserError(outcome.failure), summaries: state.summaries, steps: state.steps, message: outcome.message });
        }
        state.steps.push({ id: step.id, title, outcome: 'ok', ...(outcome.summary ? { summary: outcome.summary } : {}) });
        await tell({ type: 'step-finished', run, step, index, outcome: 'ok', durationMs: Date.now() - stepStarted, detail: outcome.summary, input: planned.input });
      } catch (error) {
        if (interrupted.aborted) {
          const cause = interruptCause(interrupted);
          const detail = cause === 'shutdown' ? 'maintbot shut down while the step ran' : "this bot process lost the run's lease while the step ran";
          await tell({ type: 'step-finished', run, step, index, outcome: 'interrupted', durationMs: Date.now() - stepStarted, detail, input: planned?.input });
          return await finish({ result: 'interrupted', stepIndex: index, during: true, cause });
        }
        if (!(error instanceof UserError)) run.logger.error({ err: error, runbook: run.runbook.name, step: step.id, code: errorCodeOf(error, 'STEP_FAILED') }, 'runbook step failed');
        await tell({ type: 'step-finished', run, step, index, outcome: 'failed', durationMs: Date.now() - stepStarted, detail: safeReason(error), input: planned?.input });
        return await finish({ result: 'failed', stepIndex: index, error, summaries: state.summaries, steps: state.steps });
      } finally {
        context.dispose();
      }
    }
    return finish({ result: 'completed', summaries: state.summaries, steps: state.steps, message: lastMessage });
  }

  /** Asks the gate; resolves with the request's id. */
  private async askApproval(run: RunInfo, state: RunState, planned: PlannedStep, plan: StepPlan): Promise<string> {
    if (!this.approvals) throw notApprovable(planned.step);
    const message = run.message.handle;
    if (!message) throw new UserError('This step needs an approval card, but no message could be posted for it.');
    return this.approvals.requestApproval({
      run: {
        runId: run.id,
        runbook: run.runbook.name,
        params: run.params,
        invocation: run.invocation,
        stepIndex: state.nextStep,
        stepCount: run.runbook.steps.length,
        stepTitle: planned.step.title ?? planned.step.id,
        outputs: state.outputs,
        summaries: state.summaries,
        steps: state.steps,
        message,
      },
      plan,
      show: (card) => run.message.showAsIs(card),
      ...(run.responder ? { tell: (note) => run.responder!.replyPrivately(note) } : {}),
    });
  }

  /** The plan of every step, for `--dry-run`: nothing runs and nobody is asked. */
  async dryRun(request: RunRequest): Promise<Message> {
    const { runbook } = request;
    const run: RunInfo = { id: randomUUID(), ...request, message: RunMessage.replyingWith(request.responder) };
    const lines: string[] = [];
    const scope: SubstitutionScope = { params: request.params, steps: {} };
    for (const [index, step] of runbook.steps.entries()) {
      const when = step.when === undefined ? '' : ` (only if ${step.when})`;
      if (!referencesIn(step.with).every((reference) => reference.startsWith('params.'))) {
        lines.push(`${index + 1}. ${step.action}: ${step.title ?? step.id}${when} — planned when it runs, from earlier steps' outputs`);
        continue;
      }
      const planned = this.prepare(step, scope);
      const context = this.contextFor(run, index, step);
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

  /**
   * True when a run of the runbook with these parameters may ask for approval: a step known up front is
   * destructive for its inputs (or its inputs do not parse, which its run will refuse), or a step that
   * depends on earlier outputs can be destructive. For counting requests before the run; no step is planned.
   */
  mayAskApproval(runbook: RunbookSpec, params: Record<string, unknown>): boolean {
    const scope: SubstitutionScope = { params, steps: {} };
    return runbook.steps.some((step) => {
      const action = this.actions.get(step.action);
      if (step.destructive === true || action?.destructive === true) return true;
      if (typeof action?.destructive !== 'function') return false;
      if (!knownUpFront(step)) return true;
      try {
        if (step.when !== undefined && !conditionHolds(step.when, scope, step.id)) return false;
        return this.prepare(step, scope).destructive;
      } catch {
        return true;
      }
    });
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

  private contextFor(run: RunInfo, index: number, step: StepSpec, interrupted?: AbortSignal) {
    const controller = new AbortController();
    const abort = (): void => controller.abort(interrupted?.reason);
    interrupted?.addEventListener('abort', abort, { once: true });
    const context: ActionContext = {
      invocation: run.invocation,
      logger: run.logger.child({ runbook: run.runbook.name, step: step.id }),
      signal: controller.signal,
      progress: (text) => tellListeners(this.listeners, { type: 'step-progress', run, step, index, text }),
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
        void settledWithin(running, interruptCleanupMs).then(() => reject(new RunInterrupted(interruptCause(interrupted))));
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
}
