import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditTrail } from '../audit/audit-trail.js';
import { invocationFields } from '../audit/audit-trail.js';
import type { ApprovalAsk, ApprovalGate, ApprovedRun, ApprovedRunListener, LostRunListener, RunOutcome } from '../core/approval-gate.js';
import type { StepPlan } from '../core/action.js';
import type { CommandResult } from '../core/command-outcome.js';
import { errorMessage } from '../core/errors.js';
import { botActor, type Actor, type Invocation, type Platform } from '../core/invocation.js';
import { notice, type LinkButton, type Mention, type Message } from '../core/report.js';
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
  approvalKeyPrefix as keyPrefix,
  closeRun,
  expireIfDue,
  lockKeyOf,
  mayApprove,
  restoreInvocation,
  storeInvocation,
  withLease,
  type ApprovalRequest,
  type ApprovalRule,
  type CancelResult,
  type VerdictResult,
} from './approval-request.js';
import { decisionResult } from './decision-result.js';
import { formatMilliseconds } from '../render/units.js';
import { RunLeases } from './run-leases.js';
import { defaultRunLeaseTimings, type RunLeaseTimings } from './run-lease-settings.js';
import { userText } from '../core/user-text.js';

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
  /** `runs:` in the config: the lease of an approved run, the look for lost runs, the wait for a busy target. */
  runs?: RunLeaseTimings;
  /** The link buttons of a new card: the runbook's docs, the dashboard of the target its plan acts on. */
  linksFor?(runbook: string, plan: StepPlan): LinkButton[];
}

const keepClosedRequestsMs = 7 * 24 * 3_600_000;

/**
 * The four-eyes gate for destructive steps: it posts an approval card, keeps the request in the
 * store, and tells its subscribers (the engine) exactly once when enough allowed approvers have
 * approved; the resumed run's end, heard through `runListener`, closes the request. A pending request
 * holds no lock; the approved run holds a lease (`RunLeases`) and, from its step's start, the target's lock.
 */
export class ApprovalService implements ApprovalGate {
  private readonly approvedListeners: ApprovedRunListener[] = [];
  private readonly lostListeners: LostRunListener[] = [];
  private readonly leases: RunLeases;
  private readonly timings: RunLeaseTimings;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Approved requests whose run is going on in this process, by request id (the resumed run carries it; the run that asked for it does not). */
  private readonly running = new Map<string, ApprovalRequest>();
  private readonly now: () => number;

  constructor(private readonly options: ApprovalServiceOptions) {
    this.now = options.now ?? Date.now;
    this.timings = options.runs ?? defaultRunLeaseTimings;
    this.leases = new RunLeases({ store: options.store, timings: this.timings, logger: options.logger, now: this.now, onLost: (request) => this.recordLost(request) });
  }

  onApproved(listener: ApprovedRunListener): void {
    this.approvedListeners.push(listener);
  }

  onLost(listener: LostRunListener): void {
    this.lostListeners.push(listener);
  }

  /**
   * Follows approved runs of this process: the step each has reached goes into its lease, and its end
   * (done, failed, interrupted, or waiting at a later step) closes the request and frees the target.
   */
  readonly runListener: RunListener = async (event) => {
    const approval = event.run.approvalId === undefined ? undefined : this.running.get(event.run.approvalId);
    if (!approval) return;
    if (event.type === 'step-started') await this.leases.atStep(approval.id, event.index);
    if (event.type !== 'run-finished') return;
    await this.finish(approval, event.result === 'failed' || event.result === 'interrupted' ? 'failed' : 'done', event.result);
  };

  /** Schedules the expiry of requests left pending by an earlier process, and starts the look for lost runs. */
  async start(): Promise<void> {
    for (const key of await this.options.store.keys(keyPrefix)) {
      const request = await this.options.store.get<ApprovalRequest>(key);
      if (request?.status === 'pending') this.scheduleExpiry(request);
    }
    this.leases.start();
  }

  /** Stops the expiry timers and the lease work; pending requests stay in the store for the next process. */
  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.leases.stop();
  }

  /** Looks for approved runs whose lease lapsed now, as the periodic check does. */
  checkLostRuns(): Promise<void> {
    return this.leases.checkLost();
  }

  /**
   * Frees the targets of approved runs still running in this process (at shutdown, after the engine
   * interrupted them) and stops renewing their leases, so the next process does not wait out the lease.
   */
  async releaseRunningLocks(): Promise<void> {
    this.running.clear();
    await this.leases.releaseAll();
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

  /** The pending requests `actor` may approve now, oldest first (their App Home). */
  async decidableBy(actor: Actor, platform: Platform): Promise<ApprovalRequest[]> {
    const now = this.now();
    return (await this.pending()).filter((request) => mayApprove(request, actor, platform, now));
  }

  async requestApproval({ run, plan, show, tell }: ApprovalAsk): Promise<string> {
    const rule = this.options.ruleFor(run.runbook);
    const now = this.now();
    const id = await this.newId();
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
    };
    const links = this.options.linksFor?.(run.runbook, plan) ?? [];
    if (links.length > 0) approval.links = links;
    await this.options.store.set(keyPrefix + id, approval, rule.expiresAfterMs + keepClosedRequestsMs);
    await show(approvalCard(approval, now));
    await this.audit(approval, run.invocation, 'requested', plan.summary);
    this.scheduleExpiry(approval);
    await this.callApprovers(approval);
    if (tell) await this.tellAboutTarget(approval, tell);
    return id;
  }

  /**
   * Tells a new request's requester of the other requests pending for the same target (id, who, since) and of
   * a run holding it now: theirs is filed all the same, and its approved step waits for the target.
   */
  private async tellAboutTarget(approval: ApprovalRequest, tell: NonNullable<ApprovalAsk['tell']>): Promise<void> {
    const key = lockKeyOf(approval);
    const others = (await this.pending()).filter((request) => request.id !== approval.id && lockKeyOf(request) === key);
    const holder = await this.options.store.lockHolder(key);
    if (others.length === 0 && !holder) return;
    const waits = `once approved, its step waits for ${key} to be free (up to ${formatMilliseconds(this.timings.targetWaitMs)}): one destructive step per target at a time`;
    const lines = [
      `Request ${approval.id} is filed; ${waits}.`,
      ...(holder ? [`${key} is busy now: ${holder.description}, since ${timeText(holder.since)}.`] : []),
      ...others.map((request) => `Also pending for ${key}: request ${request.id} by ${request.invocation.actor.name} since ${timeText(request.createdAt)} (${request.runbook}: ${request.plan.summary}).`),
    ];
    try {
      await tell(notice('info', lines.join('\n')));
    } catch (error) {
      this.options.logger.error({ err: errorMessage(error), approval: approval.id }, 'could not tell the requester about the other requests for the target');
    }
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
        return tell(`There is no approval request '${userText(id)}'. /maint approvals lists the pending ones.`);
      case 'expired':
        if (result.justNow) await this.closeExpired(result.request, this.cardUpdater(result.request.card, invocation, responder));
        return tell(`Request ${userText(id)} expired at ${timeText(result.request.expiresAt)}; nothing was run, so there is nothing to cancel.`);
      case 'closed':
        return tell(`Request ${userText(id)} is already ${result.request.status}${result.request.status === 'approved' ? ' and running' : ''}; there is nothing to cancel.`);
      case 'not-allowed':
        await this.audit(result.request, invocation, 'refused', 'cancel by someone else');
        return tell(`Only ${result.request.invocation.actor.name}, who asked, or an admin may cancel request ${userText(id)}.`);
      case 'cancelled': {
        const { request } = result;
        this.clearTimer(id);
        await this.audit(request, invocation, 'cancelled', undefined);
        await this.showCard(request.card, approvalCard(request, this.now()), this.cardUpdater(request.card, invocation, responder));
        await responder.replyPrivately(notice('info', `Cancelled request ${id} (${request.runbook}: ${request.plan.summary}). Nothing was run.`));
        return;
      }
    }
  }

  /** `/maint approve <id>` and `/maint reject <id>`, typed or clicked; resolves with what the decision did, and the run it resumed. */
  async decide(verdict: 'approve' | 'reject', id: string, invocation: Invocation, responder: Responder, logger: Logger): Promise<CommandResult> {
    const now = this.now();
    const lease = this.leases.newLease(invocation);
    const result = await this.options.store.update<ApprovalRequest, VerdictResult>(keyPrefix + id, (current) =>
      withLease(applyVerdict(current, { verdict, actor: invocation.actor, platform: invocation.platform, now }), lease),
    );
    const ran = await this.answer(result, verdict, id, invocation, responder, logger);
    return decisionResult(verdict, id, result, ran || undefined);
  }

  private async answer(result: VerdictResult, verdict: 'approve' | 'reject', id: string, invocation: Invocation, responder: Responder, logger: Logger): Promise<RunOutcome | void> {
    const tell = (text: string): Promise<void> => responder.replyPrivately(notice('error', text));
    const cards = (request: ApprovalRequest): MessageUpdater => this.cardUpdater(request.card, invocation, responder);
    switch (result.kind) {
      case 'missing':
        return tell(`There is no approval request '${userText(id)}'. It may be mistyped, or older than a week; /maint audit shows what happened.`);
      case 'expired':
        if (result.justNow) await this.closeExpired(result.request, cards(result.request));
        await this.audit(result.request, invocation, 'refused', `${verdict} after expiry`);
        return tell(`Request ${userText(id)} expired at ${timeText(result.request.expiresAt)}; nothing was run. Run /maint ${result.request.invocation.text} again to ask anew.`);
      case 'closed':
        return tell(`Request ${userText(id)} is already ${result.request.status}${result.request.status === 'approved' ? ' and running' : ''}; your click changed nothing.`);
      case 'self':
        await this.audit(result.request, invocation, 'refused', 'self-approval');
        return tell(`You asked for this, so someone else must approve it (four-eyes rule): ${result.request.rule.approverRoles.join(' or ')}.`);
      case 'not-allowed':
        await this.audit(result.request, invocation, 'refused', `${verdict} without an approver role`);
        return tell(`Only ${result.request.rule.approverRoles.join(' or ')} may ${verdict} request ${userText(id)}; you have ${invocation.actor.roles.join(', ') || 'no role'}.`);
      case 'duplicate':
        return tell(`You already approved ${userText(id)}; it needs ${result.request.rule.required - result.request.approvals.length} more approval(s) from someone else.`);
      case 'recorded':
        await this.audit(result.request, invocation, 'approved', `${result.request.approvals.length} of ${result.request.rule.required}`);
        await this.showCard(result.request.card, approvalCard(result.request, this.now()), cards(result.request));
        return;
      case 'rejected':
        this.clearTimer(id);
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
    const runId = runIdOf(approval);
    this.running.set(approval.id, approval);
    const leaseLost = this.leases.hold(approval);
    const approved: ApprovedRun = {
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
      claimTarget: (wait) => this.leases.claimTarget(approval, wait),
      leaseLost,
    };
    let ran: RunOutcome = { result: 'failed', detail: 'nothing resumed the run' };
    try {
      for (const listener of this.approvedListeners) ran = await listener(approved);
    } catch (error) {
      logger.error({ err: error, approval: approval.id }, 'could not resume an approved run');
      if (this.running.has(approval.id)) await this.finish(approval, 'failed', 'could not resume');
      return { result: 'failed', detail: 'the approved run could not be resumed' };
    }
    return ran;
  }

  private async finish(approval: ApprovalRequest, status: 'done' | 'failed', outcome: string): Promise<void> {
    await this.options.store.update<ApprovalRequest, void>(keyPrefix + approval.id, (current) => closeRun(current, status, outcome));
    this.running.delete(approval.id);
    await this.leases.release(approval.id);
  }

  /** A run another process was running was declared lost here: the engine records it (card, audit, metrics). */
  private async recordLost(request: ApprovalRequest): Promise<void> {
    const lease = request.lease!;
    const lost = {
      run: {
        runId: runIdOf(request),
        runbook: request.runbook,
        params: request.params,
        invocation: restoreInvocation(request.invocation),
        stepIndex: request.stepIndex,
        stepCount: request.stepCount,
        stepTitle: request.stepTitle,
        outputs: request.outputs,
        summaries: request.summaries,
        message: request.card,
      },
      lostAtStep: lease.stepIndex,
      durationMs: Math.max(0, lease.until - this.timings.leaseMs - lease.startedAt),
      approvalId: request.id,
      command: restoreInvocation(lease.command),
      frame: approvedRunFrame(request, lease.startedAt, this.now),
      updater: this.options.outbound,
      logger: this.options.logger.child({ approval: request.id }),
    };
    for (const listener of this.lostListeners) {
      try {
        await listener(lost);
      } catch (error) {
        this.options.logger.error({ err: errorMessage(error), approval: request.id }, 'could not record a lost run');
      }
    }
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
    await this.audit(request, expiredBy(request), 'expired', undefined);
  }

  private async closeExpired(request: ApprovalRequest, updater: MessageUpdater): Promise<void> {
    this.clearTimer(request.id);
    await this.showCard(request.card, approvalCard(request, this.now()), updater);
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
