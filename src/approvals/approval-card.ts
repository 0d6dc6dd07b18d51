import type { ClosedAs, Mention, Message, Notice, Report, ReportLine, ReportSection } from '../core/report.js';
import type { LineStatus } from '../core/status.js';
import { timeText } from '../core/time.js';
import type { ApprovalRequest, Decision } from './approval-request.js';
import { formatMilliseconds } from '../render/units.js';

/** The card that asks for approval, and its later states: rejected, expired, cancelled. */
export function approvalCard(request: ApprovalRequest, now: number): Report {
  if (request.status === 'rejected') {
    return closedCard(request, 'rejected', `Rejected by ${decided(request.rejection, now)}. Nothing was run.`);
  }
  if (request.status === 'expired') {
    return closedCard(request, 'expired', `Expired at ${timeText(request.expiresAt)} without enough approvals. Nothing was run. Run /maint ${request.invocation.text} again to ask anew.`);
  }
  if (request.status === 'cancelled') {
    return closedCard(request, 'cancelled', `Cancelled by ${decided(request.cancellation, now)}. Nothing was run.`);
  }
  return {
    kind: 'report',
    title: `Approval needed: ${request.runbook}`,
    status: 'warn',
    summary: `${request.invocation.actor.name} asks to run step ${request.stepIndex + 1} of ${request.stepCount} (${request.stepTitle}). Request ${request.id}: click a button, or type "/maint approve ${request.id}" or "/maint reject ${request.id}".`,
    sections: [planSection(request, 'warn'), approvalSection(request, now)],
    buttons: [
      { label: 'Approve', command: `approve ${request.id}`, style: 'primary' },
      { label: 'Reject', command: `reject ${request.id}`, style: 'danger' },
    ],
    ...(request.links?.length ? { links: request.links } : {}),
    context: { requestedBy: request.invocation.actor.name, note: `approval ${request.id}` },
  };
}

/** The message under a new card that calls its approvers by name, so that they are notified. */
export function approvalCall(request: ApprovalRequest, mentions: readonly Mention[]): Notice {
  return {
    kind: 'notice',
    tone: 'info',
    text: `${request.invocation.actor.name} asks for your approval: ${request.runbook}, ${request.plan.summary}. Request ${request.id}, on the card above; it expires at ${timeText(request.expiresAt)}.`,
    mentions,
  };
}

/** One line for the outcome of an approved run: who approved it. */
export function approvalNote(request: ApprovalRequest): string {
  const names = request.approvals.map((decision) => decision.actorName).join(', ');
  return `approved by ${names} (approval ${request.id})`;
}

/**
 * What an approved request's resumed run shows in its card: progress with who approved it, and at the end
 * the final card — the outcome, coloured by it, with the plan, the requester, each approver with the time,
 * and how long the run took since `resumedAt` (unless the outcome says so itself).
 */
export function approvedRunFrame(request: ApprovalRequest, resumedAt: number, now: () => number = Date.now): (message: Message) => Message {
  return (message) =>
    message.kind === 'notice' && message.tone === 'progress' ? { ...message, text: `${message.text} (${approvalNote(request)})` } : finalCard(request, message, now() - resumedAt);
}

function finalCard(request: ApprovalRequest, outcome: Message, ranForMs: number): Report {
  const report = outcome.kind === 'report' ? outcome : noticeOutcome(request, outcome);
  const ran: LineStatus = report.status === 'crit' ? 'crit' : 'ok';
  const durationMs = report.context?.durationMs ?? ranForMs;
  const names = request.approvals.map((decision) => decision.actorName).join(', ');
  return {
    ...report,
    summary: report.summary ?? `Approved by ${names}, ran for ${formatMilliseconds(durationMs)}.`,
    sections: [...report.sections, planSection(request, ran), recordSection(request)],
    context: {
      ...report.context,
      requestedBy: request.invocation.actor.name,
      durationMs,
      note: [report.context?.note, `approval ${request.id}`].filter(Boolean).join(' · '),
    },
  };
}

function noticeOutcome(request: ApprovalRequest, outcome: Message & { kind: 'notice' }): Report {
  const status = outcome.tone === 'error' ? 'crit' : 'ok';
  return {
    kind: 'report',
    title: status === 'crit' ? `${request.runbook} did not finish` : `${request.runbook}: done`,
    status,
    sections: [{ title: request.runbook, status, lines: [{ status, label: 'outcome', value: outcome.text }] }],
  };
}

function planSection(request: ApprovalRequest, status: LineStatus): ReportSection {
  return {
    title: 'Plan',
    status,
    lines: [{ status, label: `step ${request.stepIndex + 1}`, value: request.plan.summary, detail: request.plan.detail }],
  };
}

function approvalSection(request: ApprovalRequest, now: number): ReportSection {
  const { rule } = request;
  const who = `${rule.approverRoles.join(' or ')}${rule.allowSelf ? '' : `, not ${request.invocation.actor.name}`}`;
  const lines: ReportLine[] = [
    { status: 'warn', label: 'needs', value: `${rule.required} approval${rule.required === 1 ? '' : 's'} from ${who}` },
    { status: 'warn', label: 'expires', value: `${timeText(request.expiresAt)} (in ${formatMilliseconds(Math.max(0, request.expiresAt - now))})` },
  ];
  if (request.approvals.length > 0) {
    lines.push({ status: 'ok', label: 'approved by', value: request.approvals.map((decision) => `${decision.actorName} at ${timeText(decision.at)}`).join(', ') });
  }
  return { title: 'Approval', status: 'warn', lines };
}

/** Who asked and when, and each approval given, with its time. */
function recordSection(request: ApprovalRequest): ReportSection {
  const lines: ReportLine[] = [
    { status: 'ok', label: 'requested by', value: `${request.invocation.actor.name} at ${timeText(request.createdAt)}` },
    ...request.approvals.map((decision): ReportLine => ({ status: 'ok', label: 'approved by', value: `${decision.actorName} at ${timeText(decision.at)}` })),
  ];
  return { title: 'Approval', status: 'ok', lines };
}

function closedCard(request: ApprovalRequest, closed: ClosedAs, text: string): Report {
  return {
    kind: 'report',
    title: `${closed[0]!.toUpperCase()}${closed.slice(1)}: ${request.runbook}`,
    status: 'unknown',
    closed,
    summary: text,
    sections: [planSection(request, 'skipped'), recordSection(request)],
    context: { requestedBy: request.invocation.actor.name, note: `approval ${request.id}` },
  };
}

function decided(decision: Decision | undefined, now: number): string {
  return `${decision?.actorName ?? 'someone'} at ${timeText(decision?.at ?? now)}`;
}
