import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { UserError } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import { channelKey, type Channel } from '../outbound/channels.js';
import type { ChannelDelivery } from '../outbound/delivery.js';
import type { Store } from '../store/store.js';
import type { Message } from '../core/report.js';
import type { MessageHandle } from '../core/responder.js';
import { acknowledgedMessage, type AlertRecord } from './alert-messages.js';
import { groupHeading, groupMessage, resolvedGroupMessage, worstFirst, type GroupEntry, type GroupHeading, type GroupPage, type OpenNotification, type ResolvedNotification } from './group-messages.js';
import { inhibitedChecks, unreachableTargetRule, type InhibitRule } from './inhibition.js';
import { checkResults, type CheckResult } from './observations.js';
import { acknowledge, advance, snooze, type AlertNotification, type AlertPolicy, type CheckState, type Transition } from './state-machine.js';
import { userText } from '../core/user-text.js';
import type { TargetFacts } from '../systems/registry.js';
import type { AlertLabels } from './matchers.js';
import type { AlertEscalator, AlertRouter, AlertSilencer } from './pipeline.js';

const resolvedRetentionMs = 7 * 86_400_000;
/** How long a group message's record is kept for acks and snoozes of its alerts. */
const groupRetentionMs = 7 * 86_400_000;
/** How many of the group messages that showed an alert are kept on its record, newest last. */
const groupsPerAlert = 10;

/** Where alert state lives in the store. */
export const alertKeys = {
  check: (key: string) => `alerts:check:${key}`,
  alert: (id: string) => `alerts:alert:${id}`,
  group: (id: string) => `alerts:group:${id}`,
  /** The group a channel's next run may join, while `group_wait` lasts (by `channelKey`). */
  openGroup: (channel: string) => `alerts:open-group:${channel}`,
};

/** What the alert desk needs. */
export interface AlertDeskOptions {
  store: Store;
  delivery: ChannelDelivery;
  policy: AlertPolicy;
  logger: Logger;
  newAlertId?: () => string;
  newGroupId?: () => string;
  /** Each target's system and `labels:` (by name), for `AlertLabels`; a target not listed has only its own name and system. */
  targets?: ReadonlyMap<string, TargetFacts>;
  silencer?: AlertSilencer;
  router?: AlertRouter;
  escalator?: AlertEscalator;
  /** `alerts.group_wait`: for this long after a group message is posted in a channel, later runs' alerts join it; 0 (default): each run posts its own. */
  groupWaitMs?: number;
  /** `alerts.inhibit`; the rule that an unreachable target suppresses its own other checks always applies. */
  inhibitRules?: readonly InhibitRule[];
}

/** A group message in one channel: the alerts it shows and the messages (first in the channel, the rest in its thread) that show them. */
export interface AlertGroupState {
  id: string;
  /** The channel, by `channelKey`. */
  channel: string;
  openedAt: number;
  heading: GroupHeading;
  /** Every alert of the group with the notification it was posted for, worst first. */
  entries: { alertId: string; notification: OpenNotification }[];
  /** The messages, in order: the first in the channel, the others follow-ups in its thread; a handle is missing where posting failed. */
  pages: { handle?: MessageHandle; alertIds: string[] }[];
}

/** One notification on its way out: the alert, its labels, and the channels the router chose. */
interface Outgoing {
  notification: AlertNotification;
  record: AlertRecord;
  labels: AlertLabels;
  channels: readonly Channel[];
}

/**
 * Turns the findings of health runs into alerts: each check goes through the state machine (state kept in the
 * store, so a restart repeats nothing), and notifications go to the schedule's channels, with quiet hours, Ack /
 * Snooze, and inhibition (a failing source suppresses the alerts it covers). The alerts one run raises for one
 * channel go out as one group message, split into follow-ups in its thread where the platform's limits need it;
 * resolved notes go, grouped, in the thread of the message that carried each alert.
 */
export class AlertDesk {
  private readonly newAlertId: () => string;
  private readonly newGroupId: () => string;
  private readonly inhibitRules: readonly InhibitRule[];

  constructor(private readonly options: AlertDeskOptions) {
    this.newAlertId = options.newAlertId ?? (() => randomBytes(3).toString('hex'));
    this.newGroupId = options.newGroupId ?? (() => randomBytes(4).toString('hex'));
    this.inhibitRules = [unreachableTargetRule, ...(options.inhibitRules ?? [])];
  }

  /** Feeds the findings of one health run to the state machines; returns the notifications due (silenced ones included). */
  async observe(findings: readonly Finding[], channels: readonly Channel[], timeZone: string, now: number): Promise<AlertNotification[]> {
    const results = checkResults(findings);
    const candidates = results.map((result) => ({ key: result.key, labels: this.labelsOf(result, result.level), failing: result.level !== 'ok' }));
    const inhibited = inhibitedChecks(candidates, this.inhibitRules);
    const sent: AlertNotification[] = [];
    const outgoing: Outgoing[] = [];
    for (const result of results) {
      const inhibitedBy = inhibited.get(result.key);
      if (inhibitedBy !== undefined) {
        this.options.logger.info({ check: result.key, inhibitedBy }, 'alert inhibited');
        continue;
      }
      const alertId = this.newAlertId();
      const observation = { level: result.level, value: result.line.value, at: now };
      const transition = await this.options.store.update<CheckState, Transition>(alertKeys.check(result.key), (current) => {
        const next = advance(current, observation, this.options.policy, alertId);
        return { value: next.state, result: next };
      });
      if (!transition.notification) continue;
      sent.push(transition.notification);
      const prepared = await this.prepare(transition.notification, result, channels, now);
      if (prepared) outgoing.push(prepared);
    }
    await this.deliver(outgoing, timeZone, now);
    return sent;
  }

  /** Acknowledges an open alert: no more reminders; its messages show who. Throws `UserError` when it is not open. */
  async ack(alertId: string, by: string, now: number): Promise<AlertRecord> {
    const record = await this.openRecord(alertId);
    await this.changeOpenCheck(record, (state) => acknowledge(state, by, now));
    record.acked = { by, at: now };
    await this.options.store.set(alertKeys.alert(record.id), record);
    await this.updatePosts(record);
    await this.options.escalator?.acknowledged(record, now);
    return record;
  }

  /** Silences an open alert until `until`; its messages show who and until when. */
  async snooze(alertId: string, by: string, until: number): Promise<AlertRecord> {
    const record = await this.openRecord(alertId);
    await this.changeOpenCheck(record, (state) => snooze(state, until));
    record.snoozed = { by, until };
    await this.options.store.set(alertKeys.alert(record.id), record);
    await this.updatePosts(record);
    return record;
  }

  /** The alert's record for this notification, its labels and channels; undefined when a silence covers it (the record is still kept). */
  private async prepare(notification: AlertNotification, result: CheckResult, channels: readonly Channel[], now: number): Promise<Outgoing | undefined> {
    const { store } = this.options;
    const stored = await store.get<AlertRecord>(alertKeys.alert(notification.alertId));
    const record: AlertRecord = stored ?? { id: notification.alertId, key: result.key, target: result.target, label: result.label, line: result.line, openedAt: now, posts: {} };
    if (notification.kind !== 'resolved') record.line = result.line;
    const labels = this.labelsOf(result, notification.kind === 'resolved' ? notification.worst : notification.level);
    if (notification.kind !== 'resolved') {
      const silencedBy = await this.options.silencer?.silencing(labels, now);
      if (silencedBy !== undefined) {
        this.options.logger.info({ alert: record.id, check: record.key, silencedBy }, 'alert silenced');
        await store.set(alertKeys.alert(record.id), record);
        return undefined;
      }
    }
    if (!stored) await store.set(alertKeys.alert(record.id), record);
    this.options.logger.info({ alert: record.id, kind: notification.kind, check: record.key }, 'alert notification');
    return { notification, record, labels, channels: this.options.router?.channelsFor(labels, channels) ?? channels };
  }

  /** Posts the run's notifications, one group per channel (quiet hours applied per alert), then keeps the records and tells the escalator. */
  private async deliver(outgoing: readonly Outgoing[], timeZone: string, now: number): Promise<void> {
    const { delivery } = this.options;
    const ofRun = new Map(outgoing.map(({ record }) => [record.id, record]));
    for (const { notification, record } of outgoing) if (notification.kind === 'resolved') record.resolvedAt = now;
    const byChannel = new Map<string, { channel: Channel; open: GroupEntry[]; resolved: GroupEntry<ResolvedNotification>[] }>();
    for (const { notification, record, channels } of outgoing) {
      const critical = notification.kind === 'resolved' ? notification.worst === 'crit' : notification.level === 'crit';
      for (const channel of channels) {
        if (delivery.isQuiet(channel, critical, new Date(now), timeZone)) continue;
        const where = channelKey(channel);
        const bucket = byChannel.get(where) ?? { channel, open: [], resolved: [] };
        byChannel.set(where, bucket);
        if (notification.kind === 'resolved') bucket.resolved.push({ notification, record });
        else bucket.open.push({ notification, record });
      }
    }
    for (const { channel, open, resolved } of byChannel.values()) {
      if (open.length > 0) await this.postGroup(channel, open, ofRun, now);
      if (resolved.length > 0) await this.postResolved(channel, resolved, now);
    }
    for (const { notification, record, labels } of outgoing) {
      if (notification.kind === 'resolved') {
        await this.keepRecord(record, resolvedRetentionMs);
        await this.options.escalator?.resolved(record, now);
      } else {
        await this.keepRecord(record);
        if (notification.kind === 'raised' || notification.kind === 'changed') await this.options.escalator?.raised(record, labels, notification.level, now);
      }
    }
  }

  /** Stores what posting added to a record (its messages, groups, line, resolution) over acks and snoozes made meanwhile. */
  private async keepRecord(record: AlertRecord, ttlMs?: number): Promise<void> {
    await this.options.store.update<AlertRecord, void>(
      alertKeys.alert(record.id),
      (current) => {
        const merged: AlertRecord = { ...(current ?? record), line: record.line, posts: { ...record.posts, ...current?.posts } };
        if (record.groups) merged.groups = [...new Set([...(current?.groups ?? []), ...record.groups])].slice(-groupsPerAlert);
        if (record.resolvedAt !== undefined) merged.resolvedAt = record.resolvedAt;
        return { value: merged, result: undefined };
      },
      ttlMs,
    );
  }

  /** The run's open alerts for one channel as one group message (or added to the channel's open group while `group_wait` lasts). */
  private async postGroup(channel: Channel, entries: readonly GroupEntry[], ofRun: ReadonlyMap<string, AlertRecord>, now: number): Promise<void> {
    if (await this.joinOpenGroup(channel, entries, ofRun, now)) return;
    const where = channelKey(channel);
    const ordered = worstFirst(entries);
    const heading = groupHeading(ordered, now);
    const pages = this.split(channel, ordered, (items, page) => groupMessage(items, heading, page));
    const [first, ...rest] = pages.map((items, index) => groupMessage(items, heading, { index, count: pages.length }));
    const root = await this.options.delivery.post(channel, first!);
    if (!root) return;
    const handles: (MessageHandle | undefined)[] = [root];
    for (const message of rest) handles.push(await this.options.delivery.post(channel, message, root));
    const group: AlertGroupState = {
      id: this.newGroupId(),
      channel: where,
      openedAt: now,
      heading,
      entries: ordered.map(({ record, notification }) => ({ alertId: record.id, notification })),
      pages: pages.map((items, index) => withHandle(items.map((entry) => entry.record.id), handles[index])),
    };
    await this.options.store.set(alertKeys.group(group.id), group, groupRetentionMs);
    if (this.options.groupWaitMs) await this.options.store.set(alertKeys.openGroup(where), group.id, this.options.groupWaitMs);
    attach(entries, where, group.id, root);
  }

  /**
   * Adds the run's alerts to the channel's group posted less than `group_wait` ago: its messages are updated in
   * place (the first one's count too), and alerts beyond what they hold go in new follow-ups in its thread.
   */
  private async joinOpenGroup(channel: Channel, entries: readonly GroupEntry[], ofRun: ReadonlyMap<string, AlertRecord>, now: number): Promise<boolean> {
    const { store, delivery, groupWaitMs } = this.options;
    if (!groupWaitMs) return false;
    const where = channelKey(channel);
    const groupId = await store.get<string>(alertKeys.openGroup(where));
    const group = groupId === undefined ? undefined : await store.get<AlertGroupState>(alertKeys.group(groupId));
    const root = group?.pages[0]?.handle;
    if (!group || !root || now - group.openedAt >= groupWaitMs) return false;
    const fresh = new Set(entries.map((entry) => entry.record.id));
    const earlier = await this.entriesOf(group, group.entries.map((entry) => entry.alertId).filter((id) => !fresh.has(id)), ofRun);
    const ordered = worstFirst([...earlier, ...entries]);
    const heading = groupHeading(ordered, now);
    const pages = this.split(channel, ordered, (items, page) => groupMessage(items, heading, page));
    const handles: (MessageHandle | undefined)[] = [];
    for (const [index, items] of pages.entries()) {
      const message = groupMessage(items, heading, { index, count: pages.length });
      const known = group.pages[index]?.handle;
      if (known) await delivery.update(known, message);
      handles.push(known ?? (await delivery.post(channel, message, root)));
    }
    const joined: AlertGroupState = {
      ...group,
      heading,
      entries: ordered.map(({ record, notification }) => ({ alertId: record.id, notification })),
      pages: [...pages.map((items, index) => withHandle(items.map((entry) => entry.record.id), handles[index])), ...group.pages.slice(pages.length)],
    };
    await store.set(alertKeys.group(group.id), joined, groupRetentionMs);
    attach(entries, where, group.id, root);
    this.options.logger.info({ group: group.id, channel: where, joined: entries.length }, 'alerts joined an open group');
    return true;
  }

  /** The run's resolved notes for one channel: per thread (the message that carried the alert), one note for all that resolved there. */
  private async postResolved(channel: Channel, entries: readonly GroupEntry<ResolvedNotification>[], now: number): Promise<void> {
    const where = channelKey(channel);
    const byThread = new Map<string, { thread: MessageHandle; entries: GroupEntry<ResolvedNotification>[] }>();
    for (const entry of entries) {
      const thread = entry.record.posts[where];
      if (!thread) continue;
      const known = byThread.get(thread.id) ?? { thread, entries: [] };
      byThread.set(thread.id, known);
      known.entries.push(entry);
    }
    for (const { thread, entries: inThread } of byThread.values()) {
      const ordered = worstFirst(inThread);
      const pages = this.split(channel, ordered, (items, page) => resolvedGroupMessage(items, ordered.length, page, now));
      for (const [index, items] of pages.entries()) await this.options.delivery.post(channel, resolvedGroupMessage(items, ordered.length, { index, count: pages.length }, now), thread);
    }
  }

  /** Splits entries, in order, over as few messages as the channel's platform takes each within its limits. */
  private split<N extends AlertNotification>(channel: Channel, entries: readonly GroupEntry<N>[], render: (items: readonly GroupEntry<N>[], page: GroupPage) => Message): GroupEntry<N>[][] {
    const pages: GroupEntry<N>[][] = [];
    let current: GroupEntry<N>[] = [];
    for (const entry of entries) {
      const candidate = [...current, entry];
      if (current.length === 0 || this.options.delivery.fitsOneMessage(channel, render(candidate, { index: pages.length, count: fittingCount }))) {
        current = candidate;
        continue;
      }
      pages.push(current);
      current = [entry];
    }
    if (current.length > 0) pages.push(current);
    return pages;
  }

  /** The group's entries for these alert ids, with their records (`known` ones as given, the others from the store; one whose record is gone is left out). */
  private async entriesOf(group: AlertGroupState, alertIds: readonly string[], known: ReadonlyMap<string, AlertRecord>): Promise<GroupEntry[]> {
    const entries: GroupEntry[] = [];
    for (const alertId of alertIds) {
      const notification = group.entries.find((entry) => entry.alertId === alertId)?.notification;
      const record = known.get(alertId) ?? (await this.options.store.get<AlertRecord>(alertKeys.alert(alertId)));
      if (notification && record) entries.push({ notification, record });
    }
    return entries;
  }

  /** `target`, `system`, `check`, `severity` and the target's own labels. */
  private labelsOf(result: CheckResult, severity: string): AlertLabels {
    const facts = this.options.targets?.get(result.targetName);
    return { ...facts?.labels, target: result.targetName, system: result.system, check: result.checkId, severity };
  }

  private async openRecord(alertId: string): Promise<AlertRecord> {
    const record = await this.options.store.get<AlertRecord>(alertKeys.alert(alertId));
    if (!record) throw new UserError(`There is no alert ${userText(alertId)}.`, 'alert ids are shown under each alert, e.g. "alert 3f9a1c"');
    if (record.resolvedAt !== undefined) throw new UserError(`Alert ${userText(alertId)} is already resolved.`);
    return record;
  }

  private async changeOpenCheck(record: AlertRecord, change: (state: CheckState) => CheckState): Promise<void> {
    const open = await this.options.store.update<CheckState, boolean>(alertKeys.check(record.key), (current) =>
      current?.alertId === record.id ? { value: change(current), result: true } : { value: current, result: false },
    );
    if (!open) throw new UserError(`Alert ${record.id} is already resolved.`);
  }

  /** Updates every group message that shows the alert (only its own message of the group) to show who acked or snoozed it. */
  private async updatePosts(record: AlertRecord): Promise<void> {
    if (!record.groups?.length) {
      const message = acknowledgedMessage(record);
      for (const handle of Object.values(record.posts)) await this.options.delivery.update(handle, message);
      return;
    }
    for (const groupId of record.groups) {
      const group = await this.options.store.get<AlertGroupState>(alertKeys.group(groupId));
      if (!group) continue;
      for (const [index, page] of group.pages.entries()) {
        if (!page.handle || !page.alertIds.includes(record.id)) continue;
        const entries = await this.entriesOf(group, page.alertIds, new Map([[record.id, record]]));
        await this.options.delivery.update(page.handle, groupMessage(entries, group.heading, { index, count: group.pages.length }));
      }
    }
  }
}

/** While fitting a message, a page count as wide as any real one ("continued, 2 of 99"). */
const fittingCount = 99;

function withHandle(alertIds: string[], handle: MessageHandle | undefined): AlertGroupState['pages'][number] {
  return handle ? { handle, alertIds } : { alertIds };
}

/** Records the group on its alerts, and its first message as the thread of their resolved notes in the channel (the first one that carried them). */
function attach(entries: readonly GroupEntry[], where: string, groupId: string, root: MessageHandle): void {
  for (const { record } of entries) {
    record.posts[where] ??= { platform: root.platform, id: root.id };
    record.groups = [...(record.groups ?? []).filter((id) => id !== groupId), groupId].slice(-groupsPerAlert);
  }
}
