import { invocationFields, type AuditTrail } from '../../audit/audit-trail.js';
import { safeReason } from '../../core/errors.js';
import type { RunEvent, RunListener } from '../run-events.js';

/** Records every step and the end of every run (not its pause for approval) in the audit trail. */
export function runAudit(audit: AuditTrail): RunListener {
  return async (event) => {
    const row = auditRow(event);
    if (row) await audit.record({ at: new Date(), ...invocationFields(event.run.invocation), runbook: event.run.runbook.name, ...row });
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
    case 'run-finished': {
      const detail = runDetail(event);
      return detail === false ? undefined : { kind: 'runbook', args: event.run.params, outcome: event.result, detail, durationMs: event.durationMs };
    }
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

/** The runbook row's detail; false when a run's end is not recorded (a pause for approval: its step row says so). */
function runDetail(event: Extract<RunEvent, { type: 'run-finished' }>): string | undefined | false {
  switch (event.result) {
    case 'waiting':
      return false;
    case 'completed':
      return event.summaries.join('; ') || undefined;
    case 'failed':
      return `failed at step ${event.stepIndex + 1}: ${safeReason(event.error)}`;
    case 'interrupted':
      return `interrupted ${event.during ? 'at' : 'before'} step ${event.stepIndex + 1} by a shutdown`;
  }
}
