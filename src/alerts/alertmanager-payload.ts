import { z } from 'zod';
import type { LinkButton } from '../core/report.js';
import { timeText } from '../core/time.js';
import type { CheckResult } from './observations.js';
import type { AlertLevel } from './state-machine.js';

const labelSet = z.record(z.string(), z.string());
const status = z.enum(['firing', 'resolved']);

const alertSchema = z.object({
  status,
  labels: labelSet,
  annotations: labelSet.default({}),
  startsAt: z.string(),
  endsAt: z.string().optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected Alertmanager\'s fingerprint (up to 64 letters and digits)'),
});

/**
 * The body of Alertmanager's webhook receiver, version 4 (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config).
 * Keys a later Alertmanager adds are ignored.
 */
export const alertmanagerPayloadSchema = z.object({
  version: z.literal('4'),
  groupKey: z.string(),
  truncatedAlerts: z.number().int().min(0).optional(),
  status,
  receiver: z.string(),
  groupLabels: labelSet,
  commonLabels: labelSet,
  commonAnnotations: labelSet,
  externalURL: z.string(),
  alerts: z.array(alertSchema),
});

/** A parsed Alertmanager notification. */
export type AlertmanagerPayload = z.output<typeof alertmanagerPayloadSchema>;
/** One alert of an Alertmanager notification. */
export type AlertmanagerAlert = AlertmanagerPayload['alerts'][number];

/** Parses a request body: the payload, or why it is not one (JSON syntax, or each schema problem with its path). */
export function parseAlertmanagerPayload(body: string): { payload: AlertmanagerPayload } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    return { problem: `the body is not JSON (${(error as Error).message})` };
  }
  const parsed = alertmanagerPayloadSchema.safeParse(json);
  if (parsed.success) return { payload: parsed.data };
  const shown = parsed.error.issues.slice(0, 10).map((issue) => `${issue.path.length ? issue.path.join('.') : 'body'}: ${issue.message}`);
  const more = parsed.error.issues.length - shown.length;
  return { problem: `not an Alertmanager webhook payload (version 4): ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}` };
}

/** The system Prometheus alerts are matched and shown under. */
export const prometheusSystem = 'prometheus';

/** An alert's `severity` label as a level: critical, crit and page are crit; anything else (warning, none) is warn. */
export function severityLevel(severity: string | undefined): 'warn' | 'crit' {
  return ['critical', 'crit', 'page'].includes((severity ?? '').trim().toLowerCase()) ? 'crit' : 'warn';
}

/** The target an alert is about: its `target` label, else `instance`, else `job`, else "prometheus". */
export function alertTarget(labels: Readonly<Record<string, string>>): string {
  return labels.target || labels.instance || labels.job || prometheusSystem;
}

const linkAnnotations: [annotation: string, label: string][] = [
  ['runbook_url', 'Runbook'],
  ['dashboard_url', 'Dashboard'],
];

/** The runbook and dashboard annotations, and the alert's Prometheus graph, as link buttons; only http(s) URLs. */
function alertLinks(alert: AlertmanagerAlert): LinkButton[] {
  const candidates = [...linkAnnotations.map(([annotation, label]) => ({ label, url: alert.annotations[annotation] })), { label: 'Prometheus', url: alert.generatorURL }];
  return candidates.filter((link): link is LinkButton => isWebUrl(link.url));
}

function isWebUrl(text: string | undefined): boolean {
  if (!text) return false;
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * One Alertmanager alert as a check for the alert desk: the fingerprint is its identity, the labels are
 * matched (with `target`, `system: prometheus`, `check: <alertname>` set), `severity` gives the level, a
 * resolved alert is ok; the `summary` (else `description`) is its figure, the description its note.
 */
export function alertCheck(alert: AlertmanagerAlert): CheckResult {
  const alertname = alert.labels.alertname || 'alert';
  const targetName = alertTarget(alert.labels);
  const level: AlertLevel = alert.status === 'resolved' ? 'ok' : severityLevel(alert.labels.severity);
  const { summary, description } = alert.annotations;
  const value = alert.status === 'resolved' ? resolvedValue(alert.endsAt) : summary || description || `${alertname} is firing`;
  const note = summary && description ? description : undefined;
  return {
    key: `${prometheusSystem}/${alert.fingerprint}`,
    target: `${targetName} (${prometheusSystem})`,
    targetName,
    system: prometheusSystem,
    checkId: alertname,
    label: alertname,
    level,
    line: { status: level, label: alertname, value, ...(note ? { note } : {}) },
    labels: alert.labels,
    links: alertLinks(alert),
    source: 'Prometheus',
  };
}

function resolvedValue(endsAt: string | undefined): string {
  const ended = endsAt ? Date.parse(endsAt) : Number.NaN;
  return Number.isFinite(ended) && ended > 0 ? `no longer firing (ended ${timeText(ended)})` : 'no longer firing';
}
