import { dashboardLink } from '../core/links.js';
import type { LinkButton, Report, ReportLine } from '../core/report.js';
import type { MessageHandle } from '../core/responder.js';
import { timeText } from '../core/time.js';
import type { AlertNotification } from './state-machine.js';

/** What is kept about an alert for its messages, acks and snoozes. */
export interface AlertRecord {
  id: string;
  /** The check's `findingKey`, which its state in the store is kept under. */
  key: string;
  /** The target as the messages name it, e.g. "main-db (postgres)". */
  target: string;
  label: string;
  /** The check's latest judged line, as shown. */
  line: ReportLine;
  openedAt: number;
  /** The first message about this alert in each channel (by `channelKey`), where `resolved` is threaded. */
  posts: Record<string, MessageHandle>;
  /** The group messages that showed the alert (ids, newest last), updated when it is acked or snoozed. */
  groups?: string[];
  acked?: { by: string; at: number };
  snoozed?: { by: string; until: number };
  resolvedAt?: number;
  /** The target's dashboard (`dashboard_url:`), a link button on every message about the alert. */
  links?: LinkButton[];
  /** Where the check was judged, when not by maintbot's own probes (a Prometheus alert). */
  source?: string;
}

/** The `links` of a new alert's record: its target's dashboard, when it has one. */
export function alertLinks(dashboardUrl: string | undefined): Pick<AlertRecord, 'links'> {
  return dashboardUrl ? { links: [dashboardLink(dashboardUrl)] } : {};
}

function headline(notification: AlertNotification): string {
  switch (notification.kind) {
    case 'raised':
      return notification.level.toUpperCase();
    case 'changed':
      return `${notification.from.toUpperCase()} → ${notification.level.toUpperCase()}`;
    case 'renotify':
      return 'STILL CRIT';
    case 'resolved':
      return 'RESOLVED';
  }
}

/** The chat message for one notification: the judged line, and Ack / Snooze buttons while the alert is open. */
export function alertMessage(notification: AlertNotification, record: AlertRecord, now: number): Report {
  const resolved = notification.kind === 'resolved';
  const line: ReportLine = { ...record.line, status: resolved ? 'ok' : notification.level, value: notification.value };
  const report: Report = {
    kind: 'report',
    title: `${headline(notification)}: ${record.target} · ${record.label}`,
    status: resolved ? 'ok' : notification.level,
    summary: summaryOf(notification, now, record.source),
    sections: [{ title: record.target, status: line.status === 'skipped' ? 'unknown' : line.status, lines: [line] }],
    context: { note: `alert ${record.id}` },
  };
  if (!resolved) report.buttons = alertButtons(record.id);
  if (!resolved && record.links?.length) report.links = record.links;
  return report;
}

/**
 * The alert's first message again with who acked or snoozed it (and when), for updating it in place: the
 * problem, its value and threshold stay; a snoozed alert keeps its Ack button.
 */
export function acknowledgedMessage(record: AlertRecord): Report {
  const report: Report = {
    kind: 'report',
    title: `${record.line.status.toUpperCase()}: ${record.target} · ${record.label}`,
    status: record.line.status === 'crit' ? 'crit' : 'warn',
    summary: handlingOf(record),
    sections: [{ title: record.target, status: record.line.status === 'crit' ? 'crit' : 'warn', lines: [record.line] }],
    context: { note: `alert ${record.id}` },
  };
  if (!record.acked) report.buttons = alertButtons(record.id).slice(0, 1);
  if (record.links?.length) report.links = record.links;
  return report;
}

/** Ack and Snooze 1 h, as commands; `about` names the alert in the labels where several alerts share a message. */
export function alertButtons(alertId: string, about?: string): { label: string; command: string; style?: 'primary' }[] {
  const suffix = about === undefined ? '' : `: ${about}`;
  return [
    { label: `Ack${suffix}`, command: `ack ${alertId}`, style: 'primary' },
    { label: `Snooze 1 h${suffix}`, command: `snooze ${alertId} 1h` },
  ];
}

/** Who acked or snoozed the alert and when, as one sentence each; empty when nobody did. */
export function handlingOf(record: AlertRecord): string {
  const parts: string[] = [];
  if (record.acked) parts.push(`Acked by ${record.acked.by} at ${timeText(record.acked.at)}: no more reminders while it lasts; a "resolved" note still follows.`);
  if (record.snoozed) parts.push(`Snoozed by ${record.snoozed.by} until ${timeText(record.snoozed.until)}.`);
  return parts.join(' ');
}

function summaryOf(notification: AlertNotification, now: number, source: string | undefined): string {
  switch (notification.kind) {
    case 'raised':
      return source ? `${notification.value} — firing in ${source}` : `${notification.value} — held for the last runs, so this is not a flap`;
    case 'changed':
      return `now ${notification.level}: ${notification.value}`;
    case 'renotify':
      return `still critical after ${hoursSince(notification.since, now)}: ${notification.value}. Ack to stop these reminders.`;
    case 'resolved':
      return `back to ok (was ${notification.worst}): ${notification.value}`;
  }
}

/** "25 min", "3 h": how long ago `since` was at `now`. */
export function hoursSince(since: number, now: number): string {
  const minutes = Math.max(1, Math.round((now - since) / 60_000));
  return minutes < 120 ? `${minutes} min` : `${Math.round(minutes / 60)} h`;
}
