import type { Report, ReportLine, ReportSection } from '../core/report.js';
import { worstStatus } from '../core/status.js';
import { timeText } from '../core/time.js';
import { acknowledgedMessage, alertButtons, alertMessage, handlingOf, hoursSince, type AlertRecord } from './alert-messages.js';
import type { AlertNotification } from './state-machine.js';

/** A notification that opens or keeps up an alert: what a group message shows. */
export type OpenNotification = Exclude<AlertNotification, { kind: 'resolved' }>;
/** The note that closes an alert. */
export type ResolvedNotification = Extract<AlertNotification, { kind: 'resolved' }>;

/** One alert in a group message or a grouped resolved note: what it was posted for, and its record. */
export interface GroupEntry<N extends AlertNotification = OpenNotification> {
  notification: N;
  record: AlertRecord;
}

/** What the first message of a group says about the whole group, whichever messages carry its alerts. */
export interface GroupHeading {
  alerts: number;
  targets: number;
  worst: 'warn' | 'crit';
  /** How many are new, changed (warn ↔ crit) and reminders of alerts still critical. */
  kinds: Record<OpenNotification['kind'], number>;
  /** When the group's alerts were (last) posted, for "still critical after…". */
  at: number;
}

/** Which message of a group this is: 0 for the first, posted in the channel; the others are follow-ups in its thread. */
export interface GroupPage {
  index: number;
  count: number;
}

const rank = { ok: 0, warn: 1, crit: 2 } as const;

/**
 * Entries grouped by target, worst first: the targets by their worst alert (critical ones first), then as
 * given (report order); within a target its alerts worst first. For resolved notes, by the worst level reached.
 */
export function worstFirst<N extends AlertNotification>(entries: readonly GroupEntry<N>[]): GroupEntry<N>[] {
  const weight = (entry: GroupEntry<N>) => rank[entry.notification.kind === 'resolved' ? entry.notification.worst : entry.notification.level];
  const byTarget = new Map<string, GroupEntry<N>[]>();
  for (const entry of entries) byTarget.set(entry.record.target, [...(byTarget.get(entry.record.target) ?? []), entry]);
  const targets = [...byTarget.values()].map((group) => [...group].sort((a, b) => weight(b) - weight(a)));
  return targets.sort((a, b) => weight(b[0]!) - weight(a[0]!)).flat();
}

/** The heading of a group of open alerts. */
export function groupHeading(entries: readonly GroupEntry[], at: number): GroupHeading {
  return {
    alerts: entries.length,
    targets: new Set(entries.map((entry) => entry.record.target)).size,
    worst: entries.some((entry) => entry.notification.level === 'crit') ? 'crit' : 'warn',
    kinds: {
      raised: entries.filter((entry) => entry.notification.kind === 'raised').length,
      changed: entries.filter((entry) => entry.notification.kind === 'changed').length,
      renotify: entries.filter((entry) => entry.notification.kind === 'renotify').length,
    },
    at,
  };
}

/**
 * One message of a group of open alerts. A group of one alert is the alert's own message (as before
 * grouping); a larger one names the count on its first message and shows each alert as a line under its
 * target, with its own Ack / Snooze buttons and who acked or snoozed it.
 */
export function groupMessage(entries: readonly GroupEntry[], heading: GroupHeading, page: GroupPage): Report {
  if (heading.alerts === 1 && page.count === 1 && entries.length === 1) {
    const [{ notification, record }] = entries as [GroupEntry];
    return record.acked || record.snoozed ? acknowledgedMessage(record) : alertMessage(notification, record, heading.at);
  }
  const title = `${heading.worst.toUpperCase()}: ${count(heading.alerts, 'alert')} on ${count(heading.targets, 'target')}`;
  const report: Report = {
    kind: 'report',
    title: page.index === 0 ? title : `${title} · continued, ${page.index + 1} of ${page.count}`,
    status: entries.some((entry) => entry.notification.level === 'crit') ? 'crit' : 'warn',
    sections: sectionsOf(entries, (entry) => openLine(entry, heading.at)),
  };
  if (page.index === 0) report.summary = openSummary(heading, page);
  return report;
}

/** One message of the resolved notes of one thread: the alert's own note when only one resolved there, else one line per alert. */
export function resolvedGroupMessage(entries: readonly GroupEntry<ResolvedNotification>[], total: number, page: GroupPage, now: number): Report {
  if (total === 1 && entries.length === 1) {
    const [{ notification, record }] = entries as [GroupEntry<ResolvedNotification>];
    return alertMessage(notification, record, now);
  }
  const title = `RESOLVED: ${count(total, 'alert')}`;
  const report: Report = {
    kind: 'report',
    title: page.index === 0 ? title : `${title} · continued, ${page.index + 1} of ${page.count}`,
    status: 'ok',
    sections: sectionsOf(entries, ({ notification, record }) => {
      const { note: _note, detail: _detail, buttons: _buttons, ...line } = record.line;
      return { ...line, status: 'ok', value: notification.value, note: `was ${notification.worst} · alert ${record.id}` };
    }),
  };
  if (page.index === 0) report.summary = `back to ok${page.count > 1 ? ` · continued in ${count(page.count - 1, 'more message')} in this thread` : ''}`;
  return report;
}

function sectionsOf<N extends AlertNotification>(entries: readonly GroupEntry<N>[], lineOf: (entry: GroupEntry<N>) => ReportLine): ReportSection[] {
  const sections: ReportSection[] = [];
  for (const entry of entries) {
    const line = lineOf(entry);
    const last = sections.at(-1);
    if (last?.title === entry.record.target) {
      last.lines.push(line);
      last.status = worstStatus([last.status, line.status]);
    } else {
      sections.push({ title: entry.record.target, status: line.status, lines: [line] });
    }
  }
  return sections;
}

function openLine({ notification, record }: GroupEntry, postedAt: number): ReportLine {
  if (record.resolvedAt !== undefined) {
    const { note: _note, detail: _detail, buttons: _buttons, ...line } = record.line;
    return { ...line, status: 'ok', note: `resolved at ${timeText(record.resolvedAt)} · alert ${record.id}` };
  }
  const handling = handlingOf(record);
  const note = [record.line.note, handling || undefined, `alert ${record.id}`].filter((part) => part !== undefined).join(' · ');
  const line: ReportLine = { ...record.line, status: notification.level, value: notification.value, label: `${record.label}${labelSuffix(notification, postedAt)}`, note };
  const buttons = record.acked ? [] : alertButtons(record.id, `${record.target} · ${record.label}`).slice(0, record.snoozed ? 1 : 2);
  if (buttons.length > 0) line.buttons = buttons;
  else delete line.buttons;
  return line;
}

function labelSuffix(notification: OpenNotification, postedAt: number): string {
  switch (notification.kind) {
    case 'raised':
      return '';
    case 'changed':
      return ` (${notification.from} → ${notification.level})`;
    case 'renotify':
      return ` (still crit after ${hoursSince(notification.since, postedAt)})`;
  }
}

function openSummary(heading: GroupHeading, page: GroupPage): string {
  const { raised, changed, renotify } = heading.kinds;
  const parts = [raised > 0 ? `${raised} new` : '', changed > 0 ? `${changed} changed` : '', renotify > 0 ? `${renotify} still critical` : ''].filter(Boolean).join(', ');
  return page.count > 1 ? `${parts} · continued in ${count(page.count - 1, 'more message')} in this thread` : parts;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
