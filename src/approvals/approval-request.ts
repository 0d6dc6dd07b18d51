import type { Actor, Invocation, Platform } from '../core/invocation.js';
import type { LinkButton } from '../core/report.js';
import type { MessageHandle } from '../core/responder.js';
import type { StepPlan } from '../core/action.js';
import type { SuspendedRun } from '../core/approval-gate.js';
import type { UpdateDecision } from '../store/store.js';

/** The store key prefix of approval requests (`approval:<id>`). */
export const approvalKeyPrefix = 'approval:';

/**
 * Where a request stands. Only `pending` accepts decisions; `approved` while its run goes on, `lost` when the
 * bot process running it died (another one found its lease expired).
 */
export type ApprovalStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'cancelled' | 'done' | 'failed' | 'lost';

/** Who must approve, how many, and for how long the request stands. */
export interface ApprovalRule {
  approverRoles: string[];
  required: number;
  allowSelf: boolean;
  expiresAfterMs: number;
}

/** One person's decision. */
export interface Decision {
  actorId: string;
  actorName: string;
  at: number;
}

/** An invocation as stored: plain data only. */
export interface StoredInvocation {
  id: string;
  /** Absent when a schedule asked. */
  platform?: Platform;
  actor: Actor;
  channel: { id: string; name?: string };
  text: string;
  receivedAt: string;
}

/**
 * A destructive step waiting for (or past) its approval, with everything needed to resume the runbook:
 * the suspended run as stored (its invocation as plain data, its message as the `card`).
 */
export interface ApprovalRequest extends Omit<SuspendedRun, 'runId' | 'invocation' | 'message'> {
  id: string;
  status: ApprovalStatus;
  createdAt: number;
  expiresAt: number;
  /** The paused run, resumed by this id; absent in requests stored before runs had ids. */
  runId?: string;
  invocation: StoredInvocation;
  plan: StepPlan;
  rule: ApprovalRule;
  approvals: Decision[];
  rejection?: Decision;
  /** Who withdrew the request: the requester or an admin. */
  cancellation?: Decision;
  card: MessageHandle;
  /** The runbook's docs and the target's dashboard, as link buttons on the card. */
  links?: LinkButton[];
  /** The target's lock, taken when the approved step started (a pending request holds none). */
  lock?: { key: string; token: number };
  /** The approved run's lease: the bot process running it renews it; once it lapses the run is declared lost. */
  lease?: RunLease;
  outcome?: string;
}

/** Which bot process runs an approved request, until when, and where the run is. */
export interface RunLease {
  /** The process (`host:pid:random`) that runs it. */
  owner: string;
  /** When the lease lapses unless its owner renews it (ms since the epoch). */
  until: number;
  startedAt: number;
  /** The step the run is at (0-based). */
  stepIndex: number;
  /** The decision that resumed the run: the rows of its end go under it. */
  command: StoredInvocation;
}

/** The lock key a request's step takes: its plan's, else one per runbook. */
export function lockKeyOf(request: Pick<ApprovalRequest, 'plan' | 'runbook'>): string {
  return request.plan.lockKey ?? `runbook:${request.runbook}`;
}

/** What one Approve or Reject did. `approved` means this decision completed the approvals: its caller runs the step. */
export type VerdictResult =
  | { kind: 'missing' }
  | { kind: 'expired'; request: ApprovalRequest; justNow: boolean }
  | { kind: 'closed'; request: ApprovalRequest }
  | { kind: 'self'; request: ApprovalRequest }
  | { kind: 'not-allowed'; request: ApprovalRequest }
  | { kind: 'duplicate'; request: ApprovalRequest }
  | { kind: 'recorded'; request: ApprovalRequest }
  | { kind: 'approved'; request: ApprovalRequest }
  | { kind: 'rejected'; request: ApprovalRequest };

/** An Approve or a Reject by someone. */
export interface Verdict {
  verdict: 'approve' | 'reject';
  actor: Actor;
  platform?: Platform;
  now: number;
}

/**
 * Applies one verdict to the stored request. Pure, so the store can retry it under contention; the
 * store guarantees that exactly one caller sees `approved` for a request.
 */
export function applyVerdict(current: ApprovalRequest | undefined, { verdict, actor, platform, now }: Verdict): UpdateDecision<ApprovalRequest, VerdictResult> {
  if (!current) return { value: undefined, result: { kind: 'missing' } };
  const unchanged = (result: VerdictResult): UpdateDecision<ApprovalRequest, VerdictResult> => ({ value: current, result });
  if (current.status === 'expired') return unchanged({ kind: 'expired', request: current, justNow: false });
  if (current.status !== 'pending') return unchanged({ kind: 'closed', request: current });
  if (now >= current.expiresAt) {
    const expired = { ...current, status: 'expired' as const };
    return { value: expired, result: { kind: 'expired', request: expired, justNow: true } };
  }
  const isRequester = platform === current.invocation.platform && actor.id === current.invocation.actor.id;
  const isApprover = actor.roles.some((role) => current.rule.approverRoles.includes(role));
  const decision: Decision = { actorId: actor.id, actorName: actor.name, at: now };

  if (verdict === 'reject') {
    if (!isApprover && !isRequester) return unchanged({ kind: 'not-allowed', request: current });
    const rejected = { ...current, status: 'rejected' as const, rejection: decision };
    return { value: rejected, result: { kind: 'rejected', request: rejected } };
  }
  if (isRequester && !current.rule.allowSelf) return unchanged({ kind: 'self', request: current });
  if (!isApprover) return unchanged({ kind: 'not-allowed', request: current });
  if (current.approvals.some((given) => given.actorId === actor.id)) return unchanged({ kind: 'duplicate', request: current });
  const approvals = [...current.approvals, decision];
  if (approvals.length < current.rule.required) {
    const recorded = { ...current, approvals };
    return { value: recorded, result: { kind: 'recorded', request: recorded } };
  }
  const approved = { ...current, approvals, status: 'approved' as const };
  return { value: approved, result: { kind: 'approved', request: approved } };
}

/** True when `actor` may approve the request now: pending, an allowed approver, not its requester (unless the rule allows it), not approved by them yet. */
export function mayApprove(request: ApprovalRequest, actor: Actor, platform: Platform, now: number): boolean {
  const { kind } = applyVerdict(request, { verdict: 'approve', actor, platform, now }).result;
  return kind === 'approved' || kind === 'recorded';
}

/** What a cancel did. `cancelled` means this call withdrew the request: its caller releases the lock and updates the card. */
export type CancelResult =
  | { kind: 'missing' }
  | { kind: 'expired'; request: ApprovalRequest; justNow: boolean }
  | { kind: 'closed'; request: ApprovalRequest }
  | { kind: 'not-allowed'; request: ApprovalRequest }
  | { kind: 'cancelled'; request: ApprovalRequest };

/** The role that may cancel anyone's request; the requester may always cancel their own. */
export const cancelAnyRole = 'admin';

/** Withdraws a pending request for its requester or an admin. Pure, like `applyVerdict`. */
export function applyCancel(current: ApprovalRequest | undefined, { actor, platform, now }: Omit<Verdict, 'verdict'>): UpdateDecision<ApprovalRequest, CancelResult> {
  if (!current) return { value: undefined, result: { kind: 'missing' } };
  if (current.status === 'expired') return { value: current, result: { kind: 'expired', request: current, justNow: false } };
  if (current.status !== 'pending') return { value: current, result: { kind: 'closed', request: current } };
  if (now >= current.expiresAt) {
    const expired = { ...current, status: 'expired' as const };
    return { value: expired, result: { kind: 'expired', request: expired, justNow: true } };
  }
  const isRequester = platform === current.invocation.platform && actor.id === current.invocation.actor.id;
  if (!isRequester && !actor.roles.includes(cancelAnyRole)) return { value: current, result: { kind: 'not-allowed', request: current } };
  const cancelled = { ...current, status: 'cancelled' as const, cancellation: { actorId: actor.id, actorName: actor.name, at: now } };
  return { value: cancelled, result: { kind: 'cancelled', request: cancelled } };
}

/** Marks a pending request expired once its time has passed; `expired` is true only for the caller that did it. */
export function expireIfDue(current: ApprovalRequest | undefined, now: number): UpdateDecision<ApprovalRequest, { expired: boolean; request?: ApprovalRequest }> {
  if (!current || current.status !== 'pending' || now < current.expiresAt) return { value: current, result: { expired: false, request: current } };
  const expired = { ...current, status: 'expired' as const };
  return { value: expired, result: { expired: true, request: expired } };
}

/** The plain-data form of an invocation, for storing. */
export function storeInvocation(invocation: Invocation): StoredInvocation {
  return {
    id: invocation.id,
    platform: invocation.platform,
    actor: invocation.actor,
    channel: invocation.channel,
    text: invocation.text,
    receivedAt: invocation.receivedAt.toISOString(),
  };
}

/** Back from stored form. */
export function restoreInvocation(stored: StoredInvocation): Invocation {
  return { ...stored, receivedAt: new Date(stored.receivedAt), origin: stored.platform ? 'typed' : 'schedule' };
}

/** Gives the request that a verdict approved its run's lease, in the same atomic write. */
export function withLease(decision: UpdateDecision<ApprovalRequest, VerdictResult>, lease: Omit<RunLease, 'stepIndex'>): UpdateDecision<ApprovalRequest, VerdictResult> {
  if (decision.result.kind !== 'approved') return decision;
  const approved = { ...decision.result.request, lease: { ...lease, stepIndex: decision.result.request.stepIndex } };
  return { value: approved, result: { kind: 'approved', request: approved } };
}

/**
 * Renews the lease of a run `owner` still has (and, given, records its step or its target's lock); false when
 * the run is no longer its own: closed, or declared lost by another process.
 */
export function renewLease(
  current: ApprovalRequest | undefined,
  renewal: { owner: string; until: number; stepIndex?: number; lock?: ApprovalRequest['lock'] },
): UpdateDecision<ApprovalRequest, boolean> {
  if (current?.status !== 'approved' || current.lease?.owner !== renewal.owner) return { value: current, result: false };
  const lease = { ...current.lease, until: renewal.until, stepIndex: renewal.stepIndex ?? current.lease.stepIndex };
  return { value: { ...current, lease, ...(renewal.lock ? { lock: renewal.lock } : {}) }, result: true };
}

/** Ends an approved request's run: `done` or `failed`, unless another process already declared it lost. */
export function closeRun(current: ApprovalRequest | undefined, status: 'done' | 'failed', outcome: string): UpdateDecision<ApprovalRequest, void> {
  if (!current || current.status === 'lost') return { value: current, result: undefined };
  return { value: { ...current, status, outcome }, result: undefined };
}

/** Declares an approved run lost once its lease has lapsed; `lost` is true only for the caller whose write won. */
export function declareLost(current: ApprovalRequest | undefined, now: number): UpdateDecision<ApprovalRequest, { lost: boolean; request?: ApprovalRequest }> {
  if (current?.status !== 'approved' || !current.lease || current.lease.until > now) return { value: current, result: { lost: false, request: current } };
  const lost = { ...current, status: 'lost' as const, outcome: `lost at step ${current.lease.stepIndex + 1}` };
  return { value: lost, result: { lost: true, request: lost } };
}
