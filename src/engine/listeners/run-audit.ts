import { invocationFields, type AuditTrail } from '../../audit/audit-trail.js';
import type { RunEvent, RunListener } from '../run-events.js';
import { runEndDetail } from '../run-detail.js';

/**
 * Records every step in the audit trail, under the command the run is part of (with the approval request it
 * waits for or was resumed by). A run's end is the outcome of its command, recorded in the command's own row;
 * only a run no command started (a schedule's) gets a row of its own for its end or refusal (not for a pause),
 * and a lost run, whose command died with the bot process that ran it.
 */
export function runAudit(audit: AuditTrail): RunListener {
  return async (event) => {
    const row = auditRow(event);
    if (!row) return;
    const { run } = event;
    const approvalId = event.type === 'waiting-for-approval' ? event.approvalId : run.approvalId;
    await audit.record({
      at: new Date(),
      ...invocationFields(run.command ?? run.invocation),
      runbook: run.runbook.name,
      ...(approvalId ? { approvalId } : {}),
      ...row,
    });
  };
}

type RowFields = { kind: 'step' | 'runbook'; outcome: string; step?: string; action?: string; args?: Record<string, unknown>; detail?: string; durationMs: number };

function auditRow(event: RunEvent): RowFields | undefined {
  switch (event.type) {
    case 'step-started':
    case 'step-progress':
      return undefined;
    case 'step-finished':
      return { ...stepFields(event), outcome: event.outcome, detail: event.detail, durationMs: event.durationMs };
    case 'waiting-for-approval':
      return { ...stepFields(event), outcome: 'waiting', detail: event.plan.summary, durationMs: event.durationMs };
    case 'run-finished':
      if ((event.run.command && event.result !== 'lost') || event.result === 'waiting') return undefined;
      return { kind: 'runbook', args: event.run.params, outcome: event.result, detail: runEndDetail(event), durationMs: event.durationMs };
    case 'run-refused':
      return event.run.command ? undefined : { kind: 'runbook', args: event.run.params, outcome: 'refused', detail: event.reason, durationMs: 0 };
  }
}

function stepFields(event: Extract<RunEvent, { type: 'step-finished' | 'waiting-for-approval' }>): Pick<RowFields, 'kind' | 'step' | 'action' | 'args'> {
  const { input } = event;
  return {
    kind: 'step',
    step: event.step.id,
    action: event.step.action,
    args: input !== null && typeof input === 'object' ? (input as Record<string, unknown>) : undefined,
  };
}
