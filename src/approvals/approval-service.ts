import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditTrail } from '../audit/audit-trail.js';
import type { ChatPort } from '../core/chat-port.js';
import { UserError } from '../core/errors.js';
import type { Actor, Invocation, Platform } from '../core/invocation.js';
import { notice, type Message } from '../core/report.js';
import type { MessageHandle, Responder } from '../core/responder.js';
import type { StepPlan } from '../core/action.js';
import type { DestructiveStepGate, PlannedStep, RunbookEngine, RunRequest, RunState } from '../engine/engine.js';
import type { RunbookCatalog } from '../engine/runbook-catalog.js';
import type { Metrics } from '../observability/metrics.js';
import type { Store } from '../store/store.js';
import { approvalCard, approvalNote } from './approval-card.js';
import { applyVerdict, expireIfDue, restoreInvocation, storeInvocation, type ApprovalRequest, type ApprovalRule, type VerdictResult } from './approval-request.js';
import { formatMilliseconds } from '../render/units.js';

/** What the approval service is built from. */
export interface ApprovalServiceOptions {
  store: Store;
  runbooks: RunbookCatalog;
  /** The rule for a runbook, from config (defaults plus per-runbook overrides). */
  ruleFor(runbook: string): ApprovalRule;
  audit?: AuditTrail;
  logger: Logger;
  /** Chat platforms by name, to update cards outside of a click (expiry, also after a restart). */
  ports?: ReadonlyMap<Platform, ChatPort>;
  now?: () => number;
  metrics?: Pick<Metrics, 'approvalEvent'>;
}

const keyPrefix = 'approval:';
const keepClosedRequestsMs = 7 * 24 * 3_600_000;
const runLeaseMs = 15 * 60_000;

/**
 * The four-eyes gate for destructive steps: it posts an approval card, keeps the request in the
 * store, and resumes the runbook exactly once when enough allowed approvers have approved.
 */
export class ApprovalService implements DestructiveStepGate {
  private engine: RunbookEngine | undefined;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Map<string, ApprovalRequest>();
  private readonly now: () => number;

  constructor(private readonly options: ApprovalServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Connects the engine that resumes approved runbooks (the engine and the gate need each other). */
  attach(engine: RunbookEngine): void {
    this.engine = engine;
  }

  /** Schedules the expiry of requests left pending by an earlier process. */
  async start(): Promise<void> {
    for (const key of await this.options.store.keys(keyPrefix)) {
      const request = await this.options.store.get<ApprovalRequest>(key);
      if (request?.status === 'pending') this.scheduleExpiry(request);
    }
  }

  /** Stops the expiry timers; pending requests stay in the store for the next process. */
  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  /**
   * Releases the locks of approved runs still running in this process (at shutdown, after the engine
   * interrupted them), so the next process does not wait out the lease. Pending requests keep theirs.
   */
  async releaseRunningLocks(): Promise<void> {
    const running = [...this.running.values()];
    this.running.clear();
    await Promise.allSettled(running.map((approval) => this.releaseLock(approval)));
  }

  /** Reads a request, for tests and `/maint approvals`. */
  async get(id: string): Promise<ApprovalRequest | undefined> {
    return this.options.store.get<ApprovalRequest>(keyPrefix + id);
  }

  async beforeDestructiveStep(planned: PlannedStep, plan: StepPlan, request: RunRequest, state: RunState): Promise<'run' | 'stop'> {
    if (!state.handle) throw new UserError('This step needs an approval card, but no message could be posted for it.');
    const rule = this.options.ruleFor(request.runbook.name);
    const now = this.now();
    const id = await this.newId();
    const lockKey = plan.lockKey ?? `runbook:${request.runbook.name}`;
    const lock = await this.options.store.acquireLock(
      lockKey,
      { description: `${request.runbook.name} requested by ${request.invocation.actor.name} (approval ${id})`, since: now },
      rule.expiresAfterMs + runLeaseMs,
    );
    if (!lock.acquired) {
      throw new UserError(
        `${lockKey} is busy: ${lock.holder.description}, since ${new Date(lock.holder.since).toISOString().slice(11, 16)} UTC (${formatMilliseconds(now - lock.holder.since)} ago). One destructive runbook per target at a time: try again when it has finished.`,
      );
    }
    const approval: ApprovalRequest = {
      id,
      status: 'pending',
      createdAt: now,
      expiresAt: now + rule.expiresAfterMs,
      runbook: request.runbook.name,
      params: request.params,
      invocation: storeInvocation(request.invocation),
      stepIndex: state.nextStep,
      stepCount: request.runbook.steps.length,
      stepTitle: planned.step.title ?? planned.step.id,
      outputs: state.outputs,
      summaries: state.summaries,
      plan,
      rule,
      approvals: [],
      card: state.handle,
      lock: { key: lockKey, token: lock.token },
    };
    await this.options.store.set(keyPrefix + id, approval, rule.expiresAfterMs + keepClosedRequestsMs);
    await request.responder.update(state.handle, approvalCard(approval, now));
    await this.audit(approval, request.invocation, 'requested', plan.summary);
    this.scheduleExpiry(approval);
    return 'stop';
  }

  /** `/maint approve <id>` and `/maint reject <id>`, typed or clicked. */
  async decide(verdict: 'approve' | 'reject', id: string, invocation: Invocation, responder: Responder, logger: Logger): Promise<void> {
    const now = this.now();
    const result = await this.options.store.update<ApprovalRequest, VerdictResult>(keyPrefix + id, (current) =>
      applyVerdict(current, { verdict, actor: invocation.actor, platform: invocation.platform, now }),
    );
    await this.answer(result, verdict, id, invocation, responder, logger);
  }

  private async answer(result: VerdictResult, verdict: 'approve' | 'reject', id: string, invocation: Invocation, responder: Responder, logger: Logger): Promise<void> {
    const tell = (text: string): Promise<void> => responder.replyPrivately(notice('error', text));
    switch (result.kind) {
      case 'missing':
        return tell(`There is no approval request '${id}'. It may be mistyped, or older than a week; /maint audit shows what happened.`);
      case 'expired':
        if (result.justNow) await this.closeExpired(result.request, responder);
        await this.audit(result.request, invocation, 'refused', `${verdict} after expiry`);
        return tell(`Request ${id} expired at ${new Date(result.request.expiresAt).toISOString().slice(11, 16)} UTC; nothing was run. Run /maint ${result.request.invocation.text} again to ask anew.`);
      case 'closed':
        return tell(`Request ${id} is already ${result.request.status}${result.request.status === 'approved' ? ' and running' : ''}; your click changed nothing.`);
      case 'self':
        await this.audit(result.request, invocation, 'refused', 'self-approval');
        return tell(`You asked for this, so someone else must approve it (four-eyes rule): ${result.request.rule.approverRoles.join(' or ')}.`);
      case 'not-allowed':
        await this.audit(result.request, invocation, 'refused', `${verdict} without an approver role`);
        return tell(`Only ${result.request.rule.approverRoles.join(' or ')} may ${verdict} request ${id}; you have ${invocation.actor.roles.join(', ') || 'no role'}.`);
      case 'duplicate':
        return tell(`You already approved ${id}; it needs ${result.request.rule.required - result.request.approvals.length} more approval(s) from someone else.`);
      case 'recorded':
        await this.audit(result.request, invocation, 'approved', `${result.request.approvals.length} of ${result.request.rule.required}`);
        await responder.update(result.request.card, approvalCard(result.request, this.now()));
        return;
      case 'rejected':
        this.clearTimer(id);
        await this.releaseLock(result.request);
        await this.audit(result.request, invocation, 'rejected', undefined);
        await responder.update(result.request.card, approvalCard(result.request, this.now()));
        return;
      case 'approved':
        this.clearTimer(id);
        await this.audit(result.request, invocation, 'approved', `${result.request.approvals.length} of ${result.request.rule.required}: running`);
        await this.resume(result.request, responder, logger);
        return;
    }
  }

  private async resume(approval: ApprovalRequest, responder: Responder, logger: Logger): Promise<void> {
    const runbook = this.options.runbooks.get(approval.runbook);
    if (!this.engine || !runbook) {
      await this.finish(approval, 'failed', 'the runbook is no longer loaded');
      await responder.update(approval.card, notice('error', `Approved, but runbook '${approval.runbook}' is not loaded in this bot any more; nothing was run.`));
      return;
    }
    if (approval.lock) await this.options.store.renewLock(approval.lock.key, approval.lock.token, runLeaseMs);
    const note = approvalNote(approval);
    this.running.set(approval.id, approval);
    const result = await this.engine.run(
      {
        runbook,
        params: approval.params,
        invocation: restoreInvocation(approval.invocation),
        responder: withNote(responder, note),
        logger: logger.child({ approval: approval.id }),
      },
      {
        nextStep: approval.stepIndex,
        outputs: approval.outputs,
        summaries: approval.summaries,
        handle: approval.card,
        approved: { stepIndex: approval.stepIndex, plan: approval.plan },
      },
    );
    await this.finish(approval, result === 'failed' || result === 'interrupted' ? 'failed' : 'done', result);
  }

  private async finish(approval: ApprovalRequest, status: 'done' | 'failed', outcome: string): Promise<void> {
    await this.options.store.update<ApprovalRequest, void>(keyPrefix + approval.id, (current) => ({
      value: current ? { ...current, status, outcome } : undefined,
      result: undefined,
    }));
    this.running.delete(approval.id);
    await this.releaseLock(approval);
  }

  private scheduleExpiry(request: ApprovalRequest): void {
    this.clearTimer(request.id);
    const delay = Math.max(0, request.expiresAt - this.now());
    const timer = setTimeout(() => {
      this.timers.delete(request.id);
      void this.expire(request.id).catch((error: unknown) => this.options.logger.error({ err: error, approval: request.id }, 'could not expire an approval request'));
    }, Math.min(delay, 2_147_000_000));
    timer.unref();
    this.timers.set(request.id, timer);
  }

  /** Expires a request whose time has passed; only the process that flips it updates the card. */
  async expire(id: string): Promise<void> {
    const { expired, request } = await this.options.store.update(keyPrefix + id, (current: ApprovalRequest | undefined) => expireIfDue(current, this.now()));
    if (!expired || !request) return;
    const port = this.options.ports?.get(request.invocation.platform);
    if (port) await port.update(request.card, approvalCard(request, this.now()));
    await this.releaseLock(request);
    await this.audit(request, restoreInvocation(request.invocation), 'expired', undefined);
  }

  private async closeExpired(request: ApprovalRequest, responder: Responder): Promise<void> {
    this.clearTimer(request.id);
    await responder.update(request.card, approvalCard(request, this.now()));
    await this.releaseLock(request);
    await this.audit(request, restoreInvocation(request.invocation), 'expired', undefined);
  }

  private clearTimer(id: string): void {
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer);
    this.timers.delete(id);
  }

  private async releaseLock(request: ApprovalRequest): Promise<void> {
    if (request.lock) await this.options.store.releaseLock(request.lock.key, request.lock.token);
  }

  private async newId(): Promise<string> {
    for (;;) {
      const id = randomBytes(4).readUInt32BE(0).toString(36).padStart(6, '0').slice(-6);
      if (!(await this.options.store.get(keyPrefix + id))) return id;
    }
  }

  private async audit(request: ApprovalRequest, invocation: Invocation | { id: string; platform: Platform; actor: Actor; channel: { id: string }; text: string }, outcome: string, detail: string | undefined): Promise<void> {
    this.options.metrics?.approvalEvent(outcome);
    await this.options.audit?.record({
      at: new Date(this.now()),
      kind: 'approval',
      invocationId: invocation.id,
      platform: invocation.platform,
      actor: { id: invocation.actor.id, name: invocation.actor.name },
      channel: invocation.channel.id,
      command: invocation.text,
      runbook: request.runbook,
      step: request.stepTitle,
      approvalId: request.id,
      args: request.params,
      outcome,
      detail,
    });
  }
}

/** A responder whose updates of reports carry one more note, e.g. who approved the run. */
function withNote(responder: Responder, note: string): Responder {
  const annotate = (message: Message): Message =>
    message.kind === 'report' ? { ...message, context: { ...message.context, note: [message.context?.note, note].filter(Boolean).join(' · ') } } : { ...message, text: `${message.text} (${note})` };
  return {
    reply: (message) => responder.reply(annotate(message)),
    update: (handle: MessageHandle, message) => responder.update(handle, annotate(message)),
    replyPrivately: (message) => responder.replyPrivately(message),
  };
}
