import { lockKeyTarget, type StepPlan } from '../core/action.js';
import { dashboardLinks, docsLink, type DashboardOf } from '../core/links.js';
import type { LinkButton } from '../core/report.js';

/**
 * The link buttons of an approval card: the runbook's `url:` ("Docs") and the `dashboard_url:` of the
 * target the step's plan locks ("Dashboard").
 */
export function approvalLinks(runbookUrl: string | undefined, plan: StepPlan, dashboardOf: DashboardOf): LinkButton[] {
  const target = lockKeyTarget(plan.lockKey);
  return [...(runbookUrl ? [docsLink(runbookUrl)] : []), ...(target ? dashboardLinks(dashboardOf, target) : [])];
}
