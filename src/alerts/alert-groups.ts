import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Message } from '../core/report.js';
import type { MessageHandle } from '../core/responder.js';
import { channelKey, type Channel } from '../outbound/channels.js';
import type { ChannelDelivery } from '../outbound/delivery.js';
import type { Store } from '../store/store.js';
import type { AlertRecord } from './alert-messages.js';
import { groupHeading, groupMessage, resolvedGroupMessage, worstFirst, type GroupEntry, type GroupHeading, type GroupPage, type OpenNotification, type ResolvedNotification } from './group-messages.js';
import type { AlertNotification } from './state-machine.js';

/** How long a group message's record is kept for acks and snoozes of its alerts. */
const groupRetentionMs = 7 * 86_400_000;
/** How many of the group messages that showed an alert are kept on its record, newest last. */
export const groupsPerAlert = 10;

/** Where alert state lives in the store. */
export const alertKeys = {
  check: (key: string) => `alerts:check:${key}`,
  alert: (id: string) => `alerts:alert:${id}`,
  group: (id: string) => `alerts:group:${id}`,
  /** The group a channel's next run may join, while `group_wait` lasts (by `channelKey`). */
  openGroup: (channel: string) => `alerts:open-group:${channel}`,
};

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

/** What group messages are posted with. */
export interface AlertGroupsOptions {
  store: Store;
  delivery: ChannelDelivery;
  logger: Logger;
  /** `alerts.group_wait` in ms; 0: each run posts its own group. */
  groupWaitMs: number;
  newGroupId?: () => string;
}

/**
 * The messages of grouped alerts: a run's open alerts for one channel as one group message (worst first, split
 * into follow-ups in its thread where the platform's limits need it, or joined to the channel's open group while
 * `group_wait` lasts), grouped resolved notes per thread, and the updates that show an ack or a snooze.
 * Everything needed to update them later is kept in the store, so any replica can.
 */
export class AlertGroups {
  private readonly newGroupId: () => string;

  constructor(private readonly options: AlertGroupsOptions) {
    this.newGroupId = options.newGroupId ?? (() => randomBytes(4).toString('hex'));
  }

  /** Updates every group message that shows the alert (only the message of the group that carries it) to show who acked or snoozed it. */
  async showHandling(record: AlertRecord): Promise<void> {
    for (const groupId of record.groups ?? []) {
      const group = await this.options.store.get<AlertGroupState>(alertKeys.group(groupId));
      if (!group) continue;
      for (const [index, page] of group.pages.entries()) {
        if (!page.handle || !page.alertIds.includes(record.id)) continue;
        const entries = await this.entriesOf(group, page.alertIds, new Map([[record.id, record]]));
        await this.options.delivery.update(page.handle, groupMessage(entries, group.heading, { index, count: group.pages.length }));
      }
    }
  }

  /** The run's open alerts for one channel as one group message (or added to the channel's open group while `group_wait` lasts). */
  async post(channel: Channel, entries: readonly GroupEntry[], ofRun: ReadonlyMap<string, AlertRecord>, now: number): Promise<void> {
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
  async postResolved(channel: Channel, entries: readonly GroupEntry<ResolvedNotification>[], now: number): Promise<void> {
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
