import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { UserError } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import { channelKey, type Channel } from '../outbound/channels.js';
import type { ChannelDelivery } from '../outbound/delivery.js';
import type { Store } from '../store/store.js';
import { AlertGroups, alertKeys, groupsPerAlert } from './alert-groups.js';
import { acknowledgedMessage, alertLinks, type AlertRecord } from './alert-messages.js';
import type { GroupEntry, ResolvedNotification } from './group-messages.js';
import { inhibitedChecks, unreachableTargetRule, type InhibitRule } from './inhibition.js';
import { checkResults, type CheckResult } from './observations.js';
import { acknowledge, advance, snooze, type AlertNotification, type AlertPolicy, type CheckState, type Transition } from './state-machine.js';
import { userText } from '../core/user-text.js';
import type { TargetFacts } from '../systems/registry.js';
import type { AlertLabels } from './matchers.js';
import type { AlertEscalator, AlertRouter, AlertSilencer } from './pipeline.js';

export { alertKeys, type AlertGroupState } from './alert-groups.js';

const resolvedRetentionMs = 7 * 86_400_000;

/** A check's state with the open alert a silence held back before it was ever posted. */
type HeldState = CheckState & { silencedAlert?: string };

/** The open alert a silence held back before anyone saw it, raised again so it is posted once nothing silences it. */
function heldBack(state: HeldState): AlertNotification | undefined {
  if (state.silencedAlert === undefined || state.silencedAlert !== state.alertId || state.level === 'ok') return undefined;
  return { kind: 'raised', alertId: state.alertId, level: state.level, value: state.value };
}

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
  private readonly groups: AlertGroups;
  private readonly inhibitRules: readonly InhibitRule[];

  constructor(private readonly options: AlertDeskOptions) {
    this.newAlertId = options.newAlertId ?? (() => randomBytes(3).toString('hex'));
    const { store, delivery, logger, newGroupId } = options;
    this.groups = new AlertGroups({ store, delivery, logger, groupWaitMs: options.groupWaitMs ?? 0, ...(newGroupId ? { newGroupId } : {}) });
    this.inhibitRules = [unreachableTargetRule, ...(options.inhibitRules ?? [])];
  }

  /** Feeds the findings of one health run to the state machines; returns the notifications posted (a silenced one is not). Quiet hours are read in `timeZone`, local time when undefined. */
  async observe(findings: readonly Finding[], channels: readonly Channel[], timeZone: string | undefined, now: number): Promise<AlertNotification[]> {
    return this.observeResults(checkResults(findings), this.options.policy, channels, timeZone, now);
  }

  /**
   * Feeds checks judged elsewhere (Prometheus alerts through Alertmanager) to the state machines: each is
   * notified on its first firing and resolved on its first `ok`, without `hold_runs`, since the source has held
   * it already (`for:`) and sends again only when something changes.
   */
  async observeExternal(results: readonly CheckResult[], channels: readonly Channel[], timeZone: string | undefined, now: number): Promise<AlertNotification[]> {
    return this.observeResults(results, { ...this.options.policy, holdRuns: 1 }, channels, timeZone, now);
  }

  private async observeResults(results: readonly CheckResult[], policy: AlertPolicy, channels: readonly Channel[], timeZone: string | undefined, now: number): Promise<AlertNotification[]> {
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
      const transition = await this.options.store.update<HeldState, Transition>(alertKeys.check(result.key), (current) => {
        const next = advance(current, observation, policy, alertId);
        return { value: next.state, result: next };
      });
      const notification = transition.notification ?? heldBack(transition.state);
      if (!notification) continue;
      const prepared = await this.prepare(notification, result, channels, now);
      await this.holdBack(result.key, transition.state, notification.alertId, prepared === 'held back', now);
      if (typeof prepared !== 'object') continue;
      outgoing.push(prepared);
      sent.push(notification);
    }
    await this.deliver(outgoing, timeZone, now);
    return sent;
  }

  /** Remembers on the check that its open alert was silenced before anyone saw it, or forgets it once posted. */
  private async holdBack(key: string, state: HeldState, alertId: string, silenced: boolean, now: number): Promise<void> {
    if (silenced === (state.silencedAlert !== undefined && state.silencedAlert === alertId)) return;
    await this.options.store.update<HeldState, void>(alertKeys.check(key), (current) => {
      if (!current) return { value: current, result: undefined };
      const { silencedAlert: _held, ...rest } = current;
      return { value: silenced ? { ...current, silencedAlert: alertId } : { ...rest, notifiedAt: now }, result: undefined };
    });
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

  /**
   * The alert's record for this notification, its labels and channels; when a silence covers it (the record is
   * still kept) `held back` if nobody has seen the alert yet, else `silenced`.
   */
  private async prepare(notification: AlertNotification, result: CheckResult, channels: readonly Channel[], now: number): Promise<Outgoing | 'held back' | 'silenced'> {
    const { store } = this.options;
    const stored = await store.get<AlertRecord>(alertKeys.alert(notification.alertId));
    const record: AlertRecord = stored ?? { id: notification.alertId, key: result.key, target: result.target, label: result.label, line: result.line, openedAt: now, posts: {}, ...alertLinks(this.options.targets?.get(result.targetName)?.dashboardUrl) };
    if (notification.kind !== 'resolved') {
      record.line = result.line;
      if (result.links) record.links = result.links;
      if (result.source) record.source = result.source;
    }
    const labels = this.labelsOf(result, notification.kind === 'resolved' ? notification.worst : notification.level);
    if (notification.kind !== 'resolved') {
      const silencedBy = await this.options.silencer?.silencing(labels, now);
      if (silencedBy !== undefined) {
        this.options.logger.info({ alert: record.id, check: record.key, silencedBy }, 'alert silenced');
        await store.set(alertKeys.alert(record.id), record);
        return Object.keys(record.posts).length === 0 ? 'held back' : 'silenced';
      }
    }
    if (!stored) await store.set(alertKeys.alert(record.id), record);
    this.options.logger.info({ alert: record.id, kind: notification.kind, check: record.key }, 'alert notification');
    return { notification, record, labels, channels: this.options.router?.channelsFor(labels, channels) ?? channels };
  }

  /** Posts the run's notifications, one group per channel (quiet hours applied per alert), then keeps the records and tells the escalator. */
  private async deliver(outgoing: readonly Outgoing[], timeZone: string | undefined, now: number): Promise<void> {
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
      if (open.length > 0) await this.groups.post(channel, open, ofRun, now);
      if (resolved.length > 0) await this.groups.postResolved(channel, resolved, now);
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

  /** `target`, `system`, `check`, `severity`, the target's own labels and the check's (a Prometheus alert's). */
  private labelsOf(result: CheckResult, severity: string): AlertLabels {
    const facts = this.options.targets?.get(result.targetName);
    return { ...facts?.labels, ...result.labels, target: result.targetName, system: result.system, check: result.checkId, severity };
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

  private async updatePosts(record: AlertRecord): Promise<void> {
    if (record.groups?.length) return this.groups.showHandling(record);
    const message = acknowledgedMessage(record);
    for (const handle of Object.values(record.posts)) await this.options.delivery.update(handle, message);
  }
}
