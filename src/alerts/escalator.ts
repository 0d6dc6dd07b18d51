import type { Logger } from 'pino';
import { errorMessage } from '../core/errors.js';
import { notice, type Report } from '../core/report.js';
import type { MessageHandle } from '../core/responder.js';
import { formatMilliseconds } from '../render/units.js';
import type { Channel } from '../outbound/channels.js';
import type { ChannelDelivery } from '../outbound/delivery.js';
import type { Store } from '../store/store.js';
import { alertKeys } from './alert-desk.js';
import { acknowledgedMessage, alertButtons, type AlertRecord } from './alert-messages.js';
import type { AlertLabels } from './matchers.js';
import type { AlertEscalator } from './pipeline.js';
import type { EscalationLevel, RouteTable } from './routes.js';
import { isSnoozed, type CheckState } from './state-machine.js';

/** Where the escalations of open critical alerts are kept: one map by alert id, so every change is one atomic update. */
export const escalationsKey = 'alerts:escalations';

const slowestCheckMs = 10_000;
const fastestCheckMs = 200;

/** One alert's escalation in the store: its levels as configured when it turned critical, the next one due, and what was posted. */
export interface PendingEscalation {
  /** When the alert turned critical (epoch ms); each level's `afterMs` counts from here. */
  since: number;
  levels: EscalationLevel[];
  /** The index of the next level to post; `levels.length` once every level went out or the alert is no longer critical. */
  next: number;
  /** The escalation posts so far, updated on an ack and answered in their thread on resolve. */
  posts: { channel: Channel; handle: MessageHandle }[];
}

type Escalations = Record<string, PendingEscalation>;

/** What the escalator needs. */
export interface EscalatorOptions {
  store: Store;
  delivery: ChannelDelivery;
  routes: RouteTable;
  logger: Logger;
  /** The clock; `Date.now` when absent. */
  now?: () => number;
  /** How often `start()` looks for due levels; a fifth of the shortest configured `after` (0.2–10 s; 10 s without any) when absent. */
  checkEveryMs?: number;
}

/**
 * Escalates critical alerts nobody acks: when one is raised, the escalation levels of its routes are kept
 * in the store; every replica looks for due levels on a timer, and the one whose atomic update moves a level
 * on posts it, so each level goes out once across replicas and restarts. An ack or resolve ends it; a snooze
 * holds it until the snooze ends.
 */
export class Escalator implements AlertEscalator {
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;

  constructor(private readonly options: EscalatorOptions) {
    this.now = options.now ?? Date.now;
  }

  async raised(record: AlertRecord, labels: AlertLabels, level: 'warn' | 'crit', now: number): Promise<void> {
    const levels = level === 'crit' ? this.options.routes.escalationFor(labels) : [];
    await this.change((pending) => {
      const current = pending[record.id];
      if (level === 'warn') return current ? { ...pending, [record.id]: { ...current, next: current.levels.length } } : pending;
      if (levels.length === 0 || (current && current.next < current.levels.length)) return pending;
      return { ...pending, [record.id]: { since: now, levels, next: 0, posts: current?.posts ?? [] } };
    });
  }

  async acknowledged(record: AlertRecord): Promise<void> {
    const ended = await this.end(record.id);
    if (!ended) return;
    const shown = { ...acknowledgedMessage(record), title: escalatedTitle(record) };
    for (const { handle } of ended.posts) await this.options.delivery.update(handle, shown);
  }

  async resolved(record: AlertRecord): Promise<void> {
    const ended = await this.end(record.id);
    if (!ended) return;
    const note = notice('info', `Resolved: ${record.target} · ${record.label} is back to ok (alert ${record.id}); the escalation has ended.`);
    for (const { channel, handle } of ended.posts) await this.options.delivery.post(channel, note, handle);
  }

  /** Looks for due levels every so often until `stop()`; the timer does not keep the process alive. */
  start(): void {
    if (this.timer) return;
    const shortest = this.options.routes.shortestEscalation() ?? slowestCheckMs * 5;
    const every = this.options.checkEveryMs ?? Math.min(slowestCheckMs, Math.max(fastestCheckMs, Math.round(shortest / 5)));
    this.timer = setInterval(() => {
      if (this.checking) return;
      this.checking = this.checkDue()
        .then(() => undefined)
        .catch((error: unknown) => this.options.logger.warn({ err: errorMessage(error) }, 'looking for due alert escalations failed'))
        .finally(() => {
          this.checking = undefined;
        });
    }, every);
    this.timer.unref();
  }

  /** Stops the timer and waits for a check in progress; idempotent. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.checking;
  }

  /** Posts every level due at `now` that no replica has posted yet; returns how many levels this call posted. */
  async checkDue(now = this.now()): Promise<number> {
    const pending = (await this.options.store.get<Escalations>(escalationsKey)) ?? {};
    let posted = 0;
    for (const [alertId, escalation] of Object.entries(pending)) {
      for (let index = escalation.next; index < escalation.levels.length && escalation.since + escalation.levels[index]!.afterMs <= now; index++) {
        const record = await this.stillOpen(alertId, now);
        if (record === 'held') break;
        if (!record) {
          await this.end(alertId);
          break;
        }
        if (!(await this.claim(alertId, index))) continue;
        await this.post(record, escalation, index);
        posted++;
      }
    }
    return posted;
  }

  /** The alert while it is open and not acked; 'held' while snoozed; undefined once acked or resolved. */
  private async stillOpen(alertId: string, now: number): Promise<AlertRecord | 'held' | undefined> {
    const record = await this.options.store.get<AlertRecord>(alertKeys.alert(alertId));
    if (!record || record.resolvedAt !== undefined) return undefined;
    const state = await this.options.store.get<CheckState>(alertKeys.check(record.key));
    if (state?.alertId !== alertId || state.acked) return undefined;
    return isSnoozed(state, now) ? 'held' : record;
  }

  /** Moves the alert's next level from `index` on; true for the one caller whose update did it. */
  private claim(alertId: string, index: number): Promise<boolean> {
    return this.options.store.update<Escalations, boolean>(escalationsKey, (pending) => {
      const current = pending?.[alertId];
      if (!pending || !current || current.next !== index) return { value: pending, result: false };
      return { value: { ...pending, [alertId]: { ...current, next: index + 1 } }, result: true };
    });
  }

  private async post(record: AlertRecord, escalation: PendingEscalation, index: number): Promise<void> {
    const level = escalation.levels[index]!;
    const posts: PendingEscalation['posts'] = [];
    this.options.logger.info({ alert: record.id, check: record.key, level: index + 1 }, 'alert escalated');
    for (const channel of level.channels) {
      const handle = await this.options.delivery.post(channel, escalationMessage(record, escalation, index, channel));
      if (handle) posts.push({ channel, handle: { platform: handle.platform, id: handle.id } });
    }
    if (posts.length === 0) return;
    await this.change((pending) => {
      const current = pending[record.id];
      return current ? { ...pending, [record.id]: { ...current, posts: [...current.posts, ...posts] } } : pending;
    });
  }

  private change(decide: (pending: Escalations) => Escalations): Promise<void> {
    return this.options.store.update<Escalations, void>(escalationsKey, (pending) => {
      const next = decide(pending ?? {});
      return { value: Object.keys(next).length > 0 ? next : undefined, result: undefined };
    });
  }

  /** Removes an alert's escalation; returns it, undefined when there was none. */
  private end(alertId: string): Promise<PendingEscalation | undefined> {
    return this.options.store.update<Escalations, PendingEscalation | undefined>(escalationsKey, (pending) => {
      const current = pending?.[alertId];
      if (!pending || !current) return { value: pending, result: undefined };
      const { [alertId]: _ended, ...rest } = pending;
      return { value: Object.keys(rest).length > 0 ? rest : undefined, result: current };
    });
  }
}

/** The escalation post: the alert's problem, how long it went unacked, the level, Ack / Snooze, and the level's mentions on the channel's platform. */
export function escalationMessage(record: AlertRecord, escalation: PendingEscalation, index: number, channel: Channel): Report {
  const level = escalation.levels[index]!;
  const of = escalation.levels.length > 1 ? ` (level ${index + 1} of ${escalation.levels.length})` : '';
  const mentions = level.mention[channel.platform] ?? [];
  return {
    kind: 'report',
    title: escalatedTitle(record),
    status: 'crit',
    summary: `critical and not acked within ${formatMilliseconds(level.afterMs)}${of}: ${record.line.value}`,
    sections: [{ title: record.target, status: 'crit', lines: [record.line] }],
    context: { note: `alert ${record.id}` },
    buttons: alertButtons(record.id),
    ...(mentions.length > 0 ? { mentions } : {}),
  };
}

function escalatedTitle(record: AlertRecord): string {
  return `ESCALATED: ${record.target} · ${record.label}`;
}
