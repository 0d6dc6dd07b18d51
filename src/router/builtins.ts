import { approvalsCommand, cancelCommand } from '../approvals/approval-commands.js';
import type { ApprovalService } from '../approvals/approval-service.js';
import { renderAuditLog } from '../audit/audit-command.js';
import type { AuditTrail } from '../audit/audit-trail.js';
import { notice } from '../core/report.js';
import type { RunbookCatalog } from '../engine/runbook-catalog.js';
import type { BuiltinHandler } from './router.js';

/** What the built-in commands work with. */
export interface BuiltinDependencies {
  approvals: ApprovalService;
  audit: AuditTrail;
  runbooks: RunbookCatalog;
  /** schedules, run, ack and snooze, from `createScheduling`. */
  scheduling?: ReadonlyMap<string, BuiltinHandler>;
}

/** The commands implemented in code: approve, reject, approvals, cancel, audit, runbooks, and schedules, run, ack, snooze when given. */
export function builtinHandlers({ approvals, audit, runbooks, scheduling }: BuiltinDependencies): Map<string, BuiltinHandler> {
  return new Map<string, BuiltinHandler>([
    ...(scheduling ?? []),
    ['approve', ({ invocation, responder, logger, args }) => approvals.decide('approve', String(args.values.id), invocation, responder, logger)],
    ['reject', ({ invocation, responder, logger, args }) => approvals.decide('reject', String(args.values.id), invocation, responder, logger)],
    ['approvals', approvalsCommand(approvals)],
    ['cancel', cancelCommand(approvals)],
    [
      'audit',
      async ({ responder, args }) => {
        await responder.replyPrivately(renderAuditLog(await audit.latest(Number(args.values.count ?? 10))));
      },
    ],
    [
      'runbooks',
      async ({ responder }) => {
        const all = runbooks.all();
        const width = Math.max(...all.map((runbook) => runbook.name.length));
        const rows = all.map((runbook) => `${runbook.name.padEnd(width)}  ${runbook.steps.length} step${runbook.steps.length === 1 ? ' ' : 's'}  ${runbook.description}`);
        await responder.replyPrivately(notice('info', `${all.length} runbooks. Add --dry-run to a command to see a runbook's exact plan.`, rows.join('\n')));
      },
    ],
  ]);
}
