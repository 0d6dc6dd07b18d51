import { z } from 'zod';

/** An http:// or https:// URL, for a page a link button opens (`dashboard_url:`, a runbook's `url:`). */
export const pageUrlSchema = z.string().regex(/^https?:\/\/\S+$/, 'expected an http:// or https:// URL');

const labelName = z.string().regex(/^[a-z_][a-z0-9_]*$/, 'expected a label name of lower-case letters, digits and _, e.g. team');

/**
 * Fields every target accepts, whatever its system: `labels` (team, env, host…) that alert matchers, silences and
 * routes read, and `dashboard_url`, a link shown as a button on the target's reports, cards and alerts.
 *
 * @example
 * { labels: { team: 'payments', env: 'prod', host: 'db-host' }, dashboard_url: 'https://grafana.example.com/d/pg' }
 */
export const targetCommonFields = {
  labels: targetLabelsSchema(),
  dashboard_url: pageUrlSchema.optional(),
};

/** `labels:` of a target; `whenList` is the message for a list given instead of a map (a system whose older `labels:` was a list says where it went). */
export function targetLabelsSchema(whenList = 'expected a map of labels, e.g. {team: payments, env: prod}') {
  return z
    .record(labelName, z.string().max(200, 'expected a label value of at most 200 characters'), {
      error: (issue) => (Array.isArray(issue.input) ? whenList : undefined),
    })
    .refine((labels) => Object.keys(labels).every((name) => !reservedLabels.has(name)), {
      message: 'target, system, check and severity are set by maintbot itself; pick another label name',
    })
    .default({});
}

/** The labels maintbot sets on every alert itself, which targets may not redefine. */
export const reservedLabels: ReadonlySet<string> = new Set(['target', 'system', 'check', 'severity']);

/** What every validated target carries beside its system's own fields. */
export interface TargetCommon {
  labels: Record<string, string>;
  dashboard_url?: string;
}
