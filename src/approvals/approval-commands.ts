import { notice, type Notice } from '../core/report.js';
import { timeText } from '../core/time.js';
import { formatMilliseconds } from '../render/units.js';
import type { BuiltinHandler } from '../router/router.js';
import type { ApprovalRequest } from './approval-request.js';
import type { ApprovalService } from './approval-service.js';

const listedAtMost = 10;
const summaryLength = 70;

/** `/maint approvals`: the pending requests, privately to whoever asks. */
export function approvalsCommand(approvals: Pick<ApprovalService, 'pending'>, now: () => number = Date.now): BuiltinHandler {
  return async ({ responder }) => {
    await responder.replyPrivately(pendingList(await approvals.pending(), now()));
  };
}

/** `/maint cancel <id>`: the requester or an admin withdraws a pending request. */
export function cancelCommand(approvals: Pick<ApprovalService, 'cancel'>): BuiltinHandler {
  return ({ invocation, responder, args }) => approvals.cancel(String(args.values.id), invocation, responder);
}

/** One line per pending request: id, plan summary, requester, approvals so far, expiry. */
export function pendingList(requests: readonly ApprovalRequest[], now: number): Notice {
  if (requests.length === 0) return notice('info', 'No approval requests are pending.');
  const shown = requests.slice(0, listedAtMost).map((request) => `• ${pendingLine(request, now)}`);
  if (requests.length > listedAtMost) shown.push(`… and ${requests.length - listedAtMost} more`);
  const head = `${requests.length} approval request${requests.length === 1 ? ' is' : 's are'} pending; /maint approve, reject or cancel takes the id.`;
  return notice('info', [head, ...shown].join('\n'));
}

function pendingLine(request: ApprovalRequest, now: number): string {
  const { rule, approvals } = request;
  const given = approvals.length > 0 ? ` (${approvals.map((decision) => decision.actorName).join(', ')})` : '';
  const summary = request.plan.summary.length > summaryLength ? `${request.plan.summary.slice(0, summaryLength - 1)}…` : request.plan.summary;
  return [
    `${request.id} · ${request.runbook}: ${summary}`,
    `asked by ${request.invocation.actor.name}`,
    `${approvals.length} of ${rule.required} approval${rule.required === 1 ? '' : 's'}${given}`,
    `expires ${timeText(request.expiresAt)} (in ${formatMilliseconds(Math.max(0, request.expiresAt - now))})`,
  ].join(' · ');
}
