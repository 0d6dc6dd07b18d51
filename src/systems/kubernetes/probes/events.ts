import type { CoreV1Event } from '@kubernetes/client-node';
import type { ProbeFinding } from '../../../core/finding.js';
import type { LineStatus } from '../../../core/status.js';
import { ago, oneLine } from './pods.js';

/** Warning events of one reason about one object, summed. */
export interface EventGroup {
  reason: string;
  /** `Pod/web-1`. */
  object: string;
  count: number;
  lastSeen: Date;
  message: string;
  type: string;
}

/** When an event was last seen: its series, its lastTimestamp, its eventTime, or its creation. */
export function lastSeen(event: CoreV1Event): Date | undefined {
  const series = event.series?.lastObservedTime;
  const candidates = [series, event.lastTimestamp, event.eventTime, event.metadata.creationTimestamp].map((value) => (value === undefined ? undefined : new Date(value as unknown as string)));
  return candidates.find((date) => date !== undefined && !Number.isNaN(date.getTime()));
}

/** How many times an event happened. */
function occurrences(event: CoreV1Event): number {
  return event.series?.count ?? event.count ?? 1;
}

/** Events seen since `since`, grouped by reason and object, most frequent first. */
export function groupEvents(events: CoreV1Event[], since: Date): EventGroup[] {
  const groups = new Map<string, EventGroup>();
  for (const event of events) {
    const seen = lastSeen(event);
    if (seen === undefined || seen < since) continue;
    const object = `${event.involvedObject.kind ?? 'Object'}/${event.involvedObject.name ?? '?'}`;
    const reason = event.reason ?? 'Unknown';
    const key = `${event.type}\u0000${reason}\u0000${object}`;
    const group = groups.get(key);
    if (group) {
      group.count += occurrences(event);
      if (seen > group.lastSeen) Object.assign(group, { lastSeen: seen, message: event.message ?? group.message });
    } else groups.set(key, { reason, object, count: occurrences(event), lastSeen: seen, message: event.message ?? '', type: event.type ?? 'Normal' });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || b.lastSeen.getTime() - a.lastSeen.getTime());
}

/** One line for a group: "BackOff · Pod/web-1 · 12× · last 1 min ago · Back-off restarting failed container". */
export function describeGroup(group: EventGroup, now: Date): string {
  return `${group.reason} · ${group.object} · ${group.count}× · last ${ago(group.lastSeen, now)} · ${oneLine(group.message, 120)}`;
}

const shownGroups = 10;

/** The Warning events of one namespace within the window, grouped by reason and object, judged by their summed count. */
export function eventFindings(namespace: string, warnings: CoreV1Event[], thresholds: { events_window: string; events_warn: number; events_crit: number }, windowMs: number, now: Date): ProbeFinding {
  const groups = groupEvents(warnings, new Date(now.getTime() - windowMs)).filter((group) => group.type === 'Warning');
  const total = groups.reduce((sum, group) => sum + group.count, 0);
  const status: LineStatus = total >= thresholds.events_crit ? 'crit' : total >= thresholds.events_warn ? 'warn' : 'ok';
  const top = groups.slice(0, 3).map((group) => `${group.reason} ×${group.count} (${group.object})`);
  return {
    checkId: 'kubernetes.events',
    subject: namespace,
    status,
    measure: { value: total, unit: 'count' },
    label: `warning events (${namespace})`,
    text: total === 0 ? `none in ${thresholds.events_window}` : `${total} in ${thresholds.events_window}: ${top.join(', ')}${groups.length > 3 ? ` and ${groups.length - 3} more` : ''}`,
    threshold: `warn at ${thresholds.events_warn}, crit at ${thresholds.events_crit} within ${thresholds.events_window}`,
    ...(status === 'ok' ? {} : { note: `the cluster reported problems: /maint events ${namespace} lists them` }),
    ...(groups.length > 0 ? { detail: [...groups.slice(0, shownGroups).map((group) => describeGroup(group, now)), ...(groups.length > shownGroups ? [`… and ${groups.length - shownGroups} more groups`] : [])] } : {}),
  };
}
