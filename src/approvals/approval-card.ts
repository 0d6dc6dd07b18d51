import type { Report, ReportLine } from '../core/report.js';
import type { ApprovalRequest } from './approval-request.js';
import { formatMilliseconds } from '../render/units.js';

/** The card that asks for approval, and its later states: rejected, expired. */
export function approvalCard(request: ApprovalRequest, now: number): Report {
  if (request.status === 'rejected') return closedCard(request, 'Rejected', `Rejected by ${request.rejection?.actorName ?? 'someone'} at ${clock(request.rejection?.at ?? now)}. Nothing was run.`);
  if (request.status === 'expired') {
    return closedCard(request, 'Expired', `Expired at ${clock(request.expiresAt)} without enough approvals. Nothing was run. Run /maint ${request.invocation.text} again to ask anew.`);
  }
  return {
    kind: 'report',
    title: `Approval needed: ${request.runbook}`,
    status: 'warn',
    summary: `${request.invocation.actor.name} asks to run step ${request.stepIndex + 1} of ${request.stepCount} (${request.stepTitle}). Request ${request.id}: click a button, or type "/maint approve ${request.id}" or "/maint reject ${request.id}".`,
    sections: [planSection(request), approvalSection(request, now)],
    buttons: [
      { label: 'Approve', command: `approve ${request.id}`, style: 'primary' },
      { label: 'Reject', command: `reject ${request.id}`, style: 'danger' },
    ],
    context: { requestedBy: request.invocation.actor.name, note: `approval ${request.id}` },
  };
}

/** One line for the outcome of an approved run: who approved it. */
export function approvalNote(request: ApprovalRequest): string {
  const names = request.approvals.map((decision) => decision.actorName).join(', ');
  return `approved by ${names} (approval ${request.id})`;
}

function planSection(request: ApprovalRequest): Report['sections'][number] {
  return {
    title: 'Plan',
    status: 'warn',
    lines: [{ status: 'warn', label: `step ${request.stepIndex + 1}`, value: request.plan.summary, detail: request.plan.detail }],
  };
}

function approvalSection(request: ApprovalRequest, now: number): Report['sections'][number] {
  const { rule } = request;
  const who = `${rule.approverRoles.join(' or ')}${rule.allowSelf ? '' : `, not ${request.invocation.actor.name}`}`;
  const lines: ReportLine[] = [
    { status: 'warn', label: 'needs', value: `${rule.required} approval${rule.required === 1 ? '' : 's'} from ${who}` },
    { status: 'warn', label: 'expires', value: `${clock(request.expiresAt)} (in ${formatMilliseconds(Math.max(0, request.expiresAt - now))})` },
  ];
  if (request.approvals.length > 0) {
    lines.push({ status: 'ok', label: 'approved by', value: request.approvals.map((decision) => `${decision.actorName} at ${clock(decision.at)}`).join(', ') });
  }
  return { title: 'Approval', status: 'warn', lines };
}

function closedCard(request: ApprovalRequest, word: string, text: string): Report {
  return {
    kind: 'report',
    title: `${word}: ${request.runbook}`,
    status: 'unknown',
    summary: text,
    sections: [planSection({ ...request })].map((section) => ({ ...section, status: 'unknown' as const, lines: section.lines.map((line) => ({ ...line, status: 'skipped' as const })) })),
    context: { requestedBy: request.invocation.actor.name, note: `approval ${request.id}` },
  };
}

/** 14:05 UTC */
function clock(ms: number): string {
  return `${new Date(ms).toISOString().slice(11, 16)} UTC`;
}
