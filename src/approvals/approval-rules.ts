import type { Config } from '../config/schema.js';
import { parseDuration } from '../core/duration.js';
import type { Platform } from '../core/invocation.js';
import type { Mention } from '../core/report.js';
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

/** Whom a new card for a runbook calls on a platform: `approvals.rules.<runbook>.notify.<platform>`, else `approvals.notify.<platform>`. */
export function approvalMentionsFor(settings: Config['approvals'], runbook: string, platform: Platform): readonly Mention[] {
  return settings.rules[runbook]?.notify?.[platform] ?? settings.notify[platform] ?? [];
}
