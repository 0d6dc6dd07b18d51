import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { TargetWait } from '../core/approval-gate.js';
import { errorMessage, UserError } from '../core/errors.js';
import type { Invocation } from '../core/invocation.js';
import { timeText, utcTime } from '../core/time.js';
import { formatMilliseconds } from '../render/units.js';
import type { LockHolder, Store } from '../store/store.js';
import { approvalKeyPrefix, declareLost, lockKeyOf, renewLease, storeInvocation, type ApprovalRequest, type RunLease } from './approval-request.js';
import type { RunLeaseTimings } from './run-lease-settings.js';

/** What the leases of approved runs are kept with. */
export interface RunLeasesOptions {
  store: Store;
  timings: RunLeaseTimings;
  logger: Logger;
  now: () => number;
  /** Told once, in exactly one process over all replicas, of each run whose lease lapsed; the lock is already freed. */
  onLost(request: ApprovalRequest): Promise<void>;
  /** This process's name in leases; `host:pid:random` when absent. */
  owner?: string;
}

/** An approved run this process runs. */
interface HeldRun {
  approval: ApprovalRequest;
  timer: NodeJS.Timeout;
  lost: AbortController;
  stepIndex: number;
  lock?: { key: string; token: number };
}

/**
 * The leases of approved runs across bot processes. The process whose verdict approved a request owns its run:
 * it renews the run's lease in the request (every third of `runs.lease`) and, once the approved step starts, the
 * target's lock (a lease with a fencing token, waiting up to `runs.target_wait` while another run holds it).
 * Every process looks for approved requests whose lease lapsed (`runs.lost_check_every`) and declares each lost
 * by a compare-and-set, so exactly one of them frees its lock and tells `onLost`.
 */
export class RunLeases {
  readonly owner: string;
  private readonly held = new Map<string, HeldRun>();
  private check: NodeJS.Timeout | undefined;
  private checking = false;

  constructor(private readonly options: RunLeasesOptions) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  }

  /** The lease written with the verdict that completes a request's approvals (the step it is at comes from the request). */
  newLease(decidedBy: Invocation): Omit<RunLease, 'stepIndex'> {
    const now = this.options.now();
    return { owner: this.owner, until: now + this.options.timings.leaseMs, startedAt: now, command: storeInvocation(decidedBy) };
  }

  /** Starts renewing the lease of a run this process just won; the signal aborts when the lease is lost. */
  hold(approval: ApprovalRequest): AbortSignal {
    void this.release(approval.id);
    const lost = new AbortController();
    const timer = setInterval(() => void this.renew(approval.id), Math.max(50, this.options.timings.leaseMs / 3));
    timer.unref();
    this.held.set(approval.id, { approval, timer, lost, stepIndex: approval.stepIndex });
    return lost.signal;
  }

  /** Records the step a held run has reached, so a lost run names it. */
  async atStep(approvalId: string, stepIndex: number): Promise<void> {
    const held = this.held.get(approvalId);
    if (!held) return;
    held.stepIndex = stepIndex;
    await this.renew(approvalId);
  }

  /**
   * Takes the target's lock as the approved step starts. While another destructive run holds it the step waits,
   * showing which run holds it and since when, up to `runs.target_wait`; then throws a `UserError` and nothing runs.
   * A lock the request itself still holds (taken while pending, by versions before pending requests held none) is
   * given back first.
   */
  async claimTarget(approval: ApprovalRequest, wait: TargetWait): Promise<void> {
    const held = this.held.get(approval.id);
    if (!held) throw new UserError(`Approval ${approval.id} is no longer run by this bot process, so its step will not start here.`);
    const { store, timings, now } = this.options;
    const key = lockKeyOf(approval);
    const holder: LockHolder = { description: describeRun(approval), since: now() };
    const giveUpAt = now() + timings.targetWaitMs;
    const pollMs = Math.min(1000, Math.max(50, timings.leaseMs / 4));
    let shown: string | undefined;
    if (approval.lock) await store.releaseLock(approval.lock.key, approval.lock.token);
    for (;;) {
      const lock = await store.acquireLock(key, holder, timings.leaseMs);
      if (lock.acquired) {
        held.lock = { key, token: lock.token };
        if (await store.update(approvalKeyPrefix + approval.id, (current: ApprovalRequest | undefined) => renewLease(current, { owner: this.owner, until: now() + timings.leaseMs, lock: held.lock }))) return;
        await store.releaseLock(key, lock.token);
        delete held.lock;
        throw new UserError(`This bot process lost the lease of approval ${approval.id} before its step started; nothing was run.`);
      }
      if (now() >= giveUpAt) {
        throw new UserError(
          `${key} is still busy after waiting ${formatMilliseconds(timings.targetWaitMs)}: ${lock.holder.description} has held it since ${utcTime(new Date(lock.holder.since))}. One destructive step per target at a time, so nothing was run; ask again when it has finished.`,
        );
      }
      if (shown !== lock.holder.description) {
        shown = lock.holder.description;
        await wait.progress(`waiting for ${key}: ${lock.holder.description} has held it since ${timeText(lock.holder.since)}; this step starts when it is free (gives up at ${timeText(giveUpAt)})`);
      }
      await sleep(Math.min(pollMs, Math.max(1, giveUpAt - now())), undefined, { signal: wait.signal });
    }
  }

  /** Stops renewing a run that ended in this process and frees its target's lock. */
  async release(approvalId: string): Promise<void> {
    const held = this.held.get(approvalId);
    if (!held) return;
    this.held.delete(approvalId);
    clearInterval(held.timer);
    if (held.lock) await this.options.store.releaseLock(held.lock.key, held.lock.token);
  }

  /** At shutdown: stops renewing every run and frees their locks; a run that did not end is then declared lost by another process. */
  async releaseAll(): Promise<void> {
    await Promise.allSettled([...this.held.keys()].map((id) => this.release(id)));
  }

  /** Starts the periodic look for lost runs. */
  start(): void {
    this.stopChecking();
    this.check = setInterval(() => void this.checkLost(), this.options.timings.lostCheckMs);
    this.check.unref();
  }

  /** Stops the look for lost runs and the renewals (the store is about to close). */
  stop(): void {
    this.stopChecking();
    for (const held of this.held.values()) clearInterval(held.timer);
    this.held.clear();
  }

  /** Declares lost every approved run whose lease lapsed; one pass at a time. */
  async checkLost(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    const { store, logger, now } = this.options;
    try {
      for (const key of await store.keys(approvalKeyPrefix)) {
        const request = await store.get<ApprovalRequest>(key);
        if (request?.status !== 'approved' || !request.lease || request.lease.until > now()) continue;
        const { lost, request: declared } = await store.update(key, (current: ApprovalRequest | undefined) => declareLost(current, now()));
        if (!lost || !declared?.lease) continue;
        if (declared.lock) await store.releaseLock(declared.lock.key, declared.lock.token);
        logger.warn({ approval: declared.id, runbook: declared.runbook, owner: declared.lease.owner, step: declared.lease.stepIndex + 1 }, 'declared a run lost: the lease of the bot process running it lapsed');
        await this.options.onLost(declared);
      }
    } catch (error) {
      logger.error({ err: errorMessage(error) }, 'could not look for lost runs; trying again at the next check');
    } finally {
      this.checking = false;
    }
  }

  private stopChecking(): void {
    if (this.check) clearInterval(this.check);
    this.check = undefined;
  }

  private async renew(approvalId: string): Promise<void> {
    const held = this.held.get(approvalId);
    if (!held || held.lost.signal.aborted) return;
    const { store, timings, now, logger } = this.options;
    try {
      let alive = await store.update(approvalKeyPrefix + approvalId, (current: ApprovalRequest | undefined) => renewLease(current, { owner: this.owner, until: now() + timings.leaseMs, stepIndex: held.stepIndex }));
      if (alive && held.lock) alive = await store.renewLock(held.lock.key, held.lock.token, timings.leaseMs);
      if (alive) return;
      logger.error({ approval: approvalId, runbook: held.approval.runbook }, 'this process lost the lease of a run; stopping it');
      clearInterval(held.timer);
      held.lost.abort();
    } catch (error) {
      logger.error({ err: errorMessage(error), approval: approvalId }, 'could not renew the lease of a run; trying again');
    }
  }
}

/** What holds a target's lock, for whoever waits for it: "vacuum (approval k3x9q2, asked by ana, approved by bob)". */
function describeRun(approval: ApprovalRequest): string {
  const approvers = approval.approvals.map((decision) => decision.actorName).join(', ');
  return `${approval.runbook} (approval ${approval.id}, asked by ${approval.invocation.actor.name}${approvers ? `, approved by ${approvers}` : ''})`;
}
