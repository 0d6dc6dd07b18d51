import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditTrail } from '../audit/audit-trail.js';
import { invocationFields } from '../audit/audit-trail.js';
import type { StepPlan } from '../core/action.js';
import type { ApprovalAsk, ApprovalGate, ApprovalReservation, ApprovedRunListener, RunOutcome } from '../core/approval-gate.js';
import type { CommandResult } from '../core/command-outcome.js';
import { errorMessage, UserError } from '../core/errors.js';
import { botActor, type Actor, type Invocation, type Platform } from '../core/invocation.js';
import { notice, type Mention, type Message } from '../core/report.js';
import type { MessageHandle, MessageUpdater, Responder } from '../core/responder.js';
import { timeText } from '../core/time.js';
import type { RunbookCatalog } from '../engine/runbook-catalog.js';
import type { RunListener } from '../engine/run-events.js';
import type { Metrics } from '../observability/metrics.js';
import type { OutboundRegistry } from '../outbound/registry.js';
import type { Store } from '../store/store.js';
import { approvalCall, approvalCard, approvedRunFrame } from './approval-card.js';
import {
  applyCancel,
  applyVerdict,
  expireIfDue,
  restoreInvocation,
  storeInvocation,
  type ApprovalRequest,
  type ApprovalRule,
  type CancelResult,
  type VerdictResult,
} from './approval-request.js';
import { decisionResult } from './decision-result.js';
import { formatMilliseconds } from '../render/units.js';

/** What the approval service is built from. */
export interface ApprovalServiceOptions {
  store: Store;
  runbooks: RunbookCatalog;
  /** The rule for a runbook, from config (defaults plus per-runbook overrides). */
  ruleFor(runbook: string): ApprovalRule;
  /** Whom a new card for this runbook calls on this platform (`approvals.notify`); nobody when absent. */
  mentionsFor?(runbook: string, platform: Platform): readonly Mention[];
  audit?: AuditTrail;
  logger: Logger;
  /** Updates cards on the platform they were posted on (the outbound registry), whoever decided and wherever, and answers them. */
  outbound: Pick<OutboundRegistry, 'update' | 'replyTo'>;
  now?: () => number;
  metrics?: Pick<Metrics, 'approvalEvent'>;
}

const keyPrefix = 'approval:';
const keepClosedRequestsMs = 7 * 24 * 3_600_000;
const runLeaseMs = 15 * 60_000;

/**
 * The four-eyes gate for destructive steps: it posts an approval card, keeps the request in the
 * store, and tells its subscribers (the engine) exactly once when enough allowed approvers have
 * approved; the resumed run's end, heard through `runListener`, closes the request.
 */
export class ApprovalService implements ApprovalGate {
  private readonly approvedListeners: ApprovedRunListener[] = [];
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Approved requests whose run is going on in this process, by run id. */
  private readonly running = new Map<string, ApprovalRequest>();
  private readonly now: () => number;

  constructor(private readonly options: ApprovalServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  onApproved(listener: ApprovedRunListener): void {
    this.approvedListeners.push(listener);
  }

  /** Closes an approved request when its resumed run ends (done, failed, interrupted, or waiting at a later step). */
  readonly runListener: RunListener = async (event) => {
    if (event.type !== 'run-finished') return;
    const approval = this.running.get(event.run.id);
    if (approval) await this.finish(approval, event.result === 'failed' || event.result === 'interrupted' ? 'failed' : 'done', event.result);
  };

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

  /** Reads a request. */
  async get(id: string): Promise<ApprovalRequest | undefined> {
    return this.options.store.get<ApprovalRequest>(keyPrefix + id);
  }

  /** The requests still waiting for approval, oldest first, for `/maint approvals`. */
  async pending(): Promise<ApprovalRequest[]> {
    const now = this.now();
    const requests = await Promise.all((await this.options.store.keys(keyPrefix)).map((key) => this.options.store.get<ApprovalRequest>(key)));
    return requests.filter((request): request is ApprovalRequest => request?.status === 'pending' && request.expiresAt > now).sort((a, b) => a.createdAt - b.createdAt);
  }

  async reserve(runbook: string, invocation: Invocation, plan: StepPlan): Promise<ApprovalReservation> {
    const rule = this.options.ruleFor(runbook);
    const now = this.now();
    const id = await this.newId();
    const lockKey = plan.lockKey ?? `runbook:${runbook}`;
    const lock = await this.options.store.acquireLock(
      lockKey,
      { description: `${runbook} requested by ${invocation.actor.name} (approval ${id})`, since: now },
      rule.expiresAfterMs + runLeaseMs,
    );
    if (!lock.acquired) {
      throw new UserError(
        `${lockKey} is busy: ${lock.holder.description}, since ${new Date(lock.holder.since).toISOString().slice(11, 16)} UTC (${formatMilliseconds(now - lock.holder.since)} ago). One destructive runbook per target at a time: try again when it has finished.`,
      );
    }
    return { id, lockKey, token: lock.token, release: () => this.options.store.releaseLock(lockKey, lock.token) };
  }

  async requestApproval({ run, plan, show, reservation }: ApprovalAsk): Promise<string> {
    const rule = this.options.ruleFor(run.runbook);
    const now = this.now();
    const { id, lockKey, token } = await this.holdLock(run.runbook, run.invocation, plan, reservation);
    const approval: ApprovalRequest = {
      id,
      status: 'pending',
      createdAt: now,
      expiresAt: now + rule.expiresAfterMs,
      runId: run.runId,
      runbook: run.runbook,
      params: run.params,
      invocation: storeInvocation(run.invocation),
      stepIndex: run.stepIndex,
      stepCount: run.stepCount,
      stepTitle: run.stepTitle,
      outputs: run.outputs,
      summaries: run.summaries,
      ...(run.steps ? { steps: run.steps } : {}),
      plan,
      rule,
      approvals: [],
      card: run.message,
      lock: { key: lockKey, token },
    };
    await this.options.store.set(keyPrefix + id, approval, rule.expiresAfterMs + keepClosedRequestsMs);
    await show(approvalCard(approval, now));
    await this.audit(approval, run.invocation, 'requested', plan.summary);
    this.scheduleExpiry(approval);
    await this.callApprovers(approval);
    return id;
  }

  /**
   * `/maint cancel <id>`: the requester or an admin withdraws a pending request; the card says who, and the
   * lock is released. Anyone else is told privately.
   */
  async cancel(id: string, invocation: Invocation, responder: Responder): Promise<void> {
    const result = await this.options.store.update<ApprovalRequest, CancelResult>(keyPrefix + id, (current) =>
      applyCancel(current, { actor: invocation.actor, platform: invocation.platform, now: this.now() }),
    );
    const tell = (text: string): Promise<void> => responder.replyPrivately(notice('error', text));
    switch (result.kind) {
      case 'missing':
        return tell(`There is no approval request '${id}'. /maint approvals lists the pending ones.`);
      case 'expired':
        if (result.justNow) await this.closeExpired(result.request, this.cardUpdater(result.request.card, invocation, responder));
        return tell(`Request ${id} expired at ${timeText(result.request.expiresAt)}; nothing was run, so there is nothing to cancel.`);
      case 'closed':
        return tell(`Request ${id} is already ${result.request.status}${result.request.status === 'approved' ? ' and running' : ''}; there is nothing to cancel.`);
      case 'not-allowed':
        await this.audit(result.request, invocation, 'refused', 'cancel by someone else');
        return tell(`Only ${result.request.invocation.actor.name}, who asked, or an admin may cancel request ${id}.`);
      case 'cancelled': {
        const { request } = result;
        this.clearTimer(id);
        await this.releaseLock(request);
        await this.audit(request, invocation, 'cancelled', undefined);
        await this.showCard(request.card, approvalCard(request, this.now()), this.cardUpdater(request.card, invocation, responder));
        const freed = request.lock ? `, and ${request.lock.key} is free again` : '';
        await responder.replyPrivately(notice('info', `Cancelled request ${id} (${request.runbook}: ${request.plan.summary}). Nothing was run${freed}.`));
        return;
      }
    }
  }

  /** The run's pre-flight lock, renewed for the request's lifetime; else (none, another key, or lost) a fresh one. */
  private async holdLock(runbook: string, invocation: Invocation, plan: StepPlan, reservation: ApprovalReservation | undefined): Promise<ApprovalReservation> {
    const lockKey = plan.lockKey ?? `runbook:${runbook}`;
    const lifetimeMs = this.options.ruleFor(runbook).expiresAfterMs + runLeaseMs;
    if (reservation?.lockKey === lockKey && (await this.options.store.renewLock(lockKey, reservation.token, lifetimeMs))) return reservation;
    await reservation?.release();
    return this.reserve(runbook, invocation, plan);
  }

  /** `/maint approve <id>` and `/maint reject <id>`, typed or clicked; resolves with what the decision did, and the run it resumed. */
  async decide(verdict: 'approve' | 'reject', id: string, invocation: Invocation, responder: Responder, logger: Logger): Promise<CommandResult> {
    const now = this.now();
    const result = await this.options.store.update<ApprovalRequest, VerdictResult>(keyPrefix + id, (current) =>
      applyVerdict(current, { verdict, actor: invocation.actor, platform: invocation.platform, now }),
    );
    const ran = await this.answer(result, verdict, id, invocation, responder, logger);
    return decisionResult(verdict, id, result, ran || undefined);
  }

  private async answer(result: VerdictResult, verdict: 'approve' | 'reject', id: string, invocation: Invocation, responder: Responder, logger: Logger): Promise<RunOutcome | void> {
    const tell = (text: string): Promise<void> => responder.replyPrivately(notice('error', text));
    const cards = (request: ApprovalRequest): MessageUpdater => this.cardUpdater(request.card, invocation, responder);
    switch (result.kind) {
      case 'missing':
        return tell(`There is no approval request '${id}'. It may be mistyped, or older than a week; /maint audit shows what happened.`);
      case 'expired':
        if (result.justNow) await this.closeExpired(result.request, cards(result.request));
        await this.audit(result.request, invocation, 'refused', `${verdict} after expiry`);
        return tell(`Request ${id} expired at ${timeText(result.request.expiresAt)}; nothing was run. Run /maint ${result.request.invocation.text} again to ask anew.`);
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
        await this.showCard(result.request.card, approvalCard(result.request, this.now()), cards(result.request));
        return;
      case 'rejected':
        this.clearTimer(id);
        await this.releaseLock(result.request);
        await this.audit(result.request, invocation, 'rejected', undefined);
        await this.showCard(result.request.card, approvalCard(result.request, this.now()), cards(result.request));
        return;
      case 'approved':
        this.clearTimer(id);
        await this.audit(result.request, invocation, 'approved', `${result.request.approvals.length} of ${result.request.rule.required}: running`);
        return this.resume(result.request, invocation, cards(result.request), logger);
    }
  }

  private async resume(approval: ApprovalRequest, decidedBy: Invocation, updater: MessageUpdater, logger: Logger): Promise<RunOutcome> {
    if (!this.options.runbooks.get(approval.runbook) || this.approvedListeners.length === 0) {
      await this.finish(approval, 'failed', 'the runbook is no longer loaded');
      await this.showCard(approval.card, notice('error', `Approved, but runbook '${approval.runbook}' is not loaded in this bot any more; nothing was run.`), updater);
      return { result: 'failed', detail: `runbook ${approval.runbook} is not loaded; nothing was run` };
    }
    if (approval.lock) await this.options.store.renewLock(approval.lock.key, approval.lock.token, runLeaseMs);
    const runId = runIdOf(approval);
    this.running.set(runId, approval);
    const approved = {
      run: {
        runId,
        runbook: approval.runbook,
        params: approval.params,
        invocation: restoreInvocation(approval.invocation),
        stepIndex: approval.stepIndex,
        stepCount: approval.stepCount,
        stepTitle: approval.stepTitle,
        outputs: approval.outputs,
        summaries: approval.summaries,
        ...(approval.steps ? { steps: approval.steps } : {}),
        message: approval.card,
      },
      plan: approval.plan,
      frame: approvedRunFrame(approval, this.now(), this.now),
      updater,
      logger: logger.child({ approval: approval.id }),
      approvalId: approval.id,
      command: decidedBy,
    };
    let ran: RunOutcome = { result: 'failed', detail: 'nothing resumed the run' };
    try {
      for (const listener of this.approvedListeners) ran = await listener(approved);
    } catch (error) {
      logger.error({ err: error, approval: approval.id }, 'could not resume an approved run');
      if (this.running.has(runId)) await this.finish(approval, 'failed', 'could not resume');
      return { result: 'failed', detail: 'the approved run could not be resumed' };
    }
    return ran;
  }

  private async finish(approval: ApprovalRequest, status: 'done' | 'failed', outcome: string): Promise<void> {
    await this.options.store.update<ApprovalRequest, void>(keyPrefix + approval.id, (current) => ({
      value: current ? { ...current, status, outcome } : undefined,
      result: undefined,
    }));
    this.running.delete(runIdOf(approval));
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
    await this.showCard(request.card, approvalCard(request, this.now()));
    await this.releaseLock(request);
    await this.audit(request, expiredBy(request), 'expired', undefined);
  }

  private async closeExpired(request: ApprovalRequest, updater: MessageUpdater): Promise<void> {
    this.clearTimer(request.id);
    await this.showCard(request.card, approvalCard(request, this.now()), updater);
    await this.releaseLock(request);
    await this.audit(request, expiredBy(request), 'expired', undefined);
  }

  /**
   * Where a decision updates the card: through the decider's own responder when the card is a single message
   * on their platform (the click is answered in place), else through the outbound registry, by the card's platform.
   */
  private cardUpdater(card: MessageHandle, invocation: Invocation, responder: Responder): MessageUpdater {
    return card.platform === invocation.platform && !card.copies?.length ? responder : this.options.outbound;
  }

  /** Calls the approvers of each posted card in a new message under it, where `approvals.notify` names them for its platform. */
  private async callApprovers(request: ApprovalRequest): Promise<void> {
    const { copies = [], ...card } = request.card;
    for (const posted of [card, ...copies]) {
      const mentions = this.options.mentionsFor?.(request.runbook, posted.platform) ?? [];
      if (mentions.length === 0) continue;
      try {
        await this.options.outbound.replyTo(posted, approvalCall(request, mentions));
      } catch (error) {
        this.options.logger.error({ err: errorMessage(error), platform: posted.platform, approval: request.id }, 'could not call the approvers');
      }
    }
  }

  /** Replaces the card; a failure is logged. */
  private async showCard(card: MessageHandle, message: Message, updater: MessageUpdater = this.options.outbound): Promise<void> {
    try {
      await updater.update(card, message);
    } catch (error) {
      this.options.logger.error({ err: errorMessage(error), platform: card.platform }, 'could not update an approval card');
    }
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
      ...invocationFields(invocation),
      runbook: request.runbook,
      step: request.stepTitle,
      approvalId: request.id,
      args: request.params,
      outcome,
      detail,
    });
  }
}

/** Who expires a request: the bot, recorded under the command that made the request. */
function expiredBy(request: ApprovalRequest): Invocation {
  return { ...restoreInvocation(request.invocation), actor: botActor };
}

/** The id of the run a request pauses; requests stored before runs had ids use their own. */
function runIdOf(approval: ApprovalRequest): string {
  return approval.runId ?? approval.id;
}
