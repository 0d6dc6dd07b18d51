import type { RunOutcome } from '../core/approval-gate.js';
import { resultOfRun, type CommandResult } from '../core/command-outcome.js';
import type { VerdictResult } from './approval-request.js';

/**
 * What `/maint approve|reject <id>` did, for its audit row and `maintbot_commands_total`: a decision that
 * changed nothing is `no-op`, one the rule refuses `denied`; the decision that completed the approvals has
 * the outcome of the run it resumed.
 */
export function decisionResult(verdict: 'approve' | 'reject', id: string, result: VerdictResult, ran?: RunOutcome): CommandResult {
  if (result.kind === 'missing') return { outcome: 'invalid', approvalId: id, detail: 'no such request' };
  const about = { approvalId: id, runbook: result.request.runbook };
  switch (result.kind) {
    case 'expired':
      return { ...about, outcome: 'refused', detail: `${verdict} after expiry` };
    case 'closed':
      return { ...about, outcome: 'no-op', detail: `the request was already ${result.request.status}` };
    case 'duplicate':
      return { ...about, outcome: 'no-op', detail: 'already approved by this person' };
    case 'self':
      return { ...about, outcome: 'denied', detail: 'self-approval' };
    case 'not-allowed':
      return { ...about, outcome: 'denied', detail: `${verdict} without an approver role` };
    case 'recorded':
      return { ...about, outcome: 'ok', detail: `approval ${result.request.approvals.length} of ${result.request.rule.required}` };
    case 'rejected':
      return { ...about, outcome: 'ok', detail: 'rejected; nothing was run' };
    case 'approved': {
      const run = resultOfRun(result.request.runbook, ran ?? { result: 'failed', detail: 'the approved run did not report its end' });
      const approved = `approved (${result.request.approvals.length} of ${result.request.rule.required})`;
      return { ...run, approvalId: id, detail: run.detail ? `${approved}; ${run.detail}` : approved };
    }
  }
}
