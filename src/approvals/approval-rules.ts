import type { Config } from '../config/schema.js';
import { parseDuration } from '../core/duration.js';
import type { ApprovalRule } from './approval-request.js';

/** The approval rule of a runbook: the configured defaults, overridden by `approvals.rules.<runbook>`. */
export function approvalRuleFor(settings: Config['approvals'], runbook: string): ApprovalRule {
  const override = settings.rules[runbook] ?? {};
  return {
    approverRoles: override.approver_roles ?? settings.approver_roles,
    required: override.required ?? settings.required,
    allowSelf: override.allow_self_approval ?? settings.allow_self_approval,
    expiresAfterMs: parseDuration(override.expires_after ?? settings.expires_after)!,
  };
}
