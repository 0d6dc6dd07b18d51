import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { UserError } from '../core/errors.js';
import type { Finding } from '../core/finding.js';
import { channelKey, type Channel } from '../outbound/channels.js';
import type { ChannelDelivery } from '../outbound/delivery.js';
import type { Store } from '../store/store.js';
import { acknowledgedMessage, alertMessage, type AlertRecord } from './alert-messages.js';
import { checkResults, type CheckResult } from './observations.js';
import { acknowledge, advance, snooze, type AlertNotification, type AlertPolicy, type CheckState, type Transition } from './state-machine.js';
import { userText } from '../core/user-text.js';
import type { TargetFacts } from '../systems/registry.js';
import type { AlertLabels } from './matchers.js';
import type { AlertEscalator, AlertRouter, AlertSilencer } from './pipeline.js';

const resolvedRetentionMs = 7 * 86_400_000;

/** Where alert state lives in the store. */
export const alertKeys = {
  check: (key: string) => `alerts:check:${key}`,
  alert: (id: string) => `alerts:alert:${id}`,
};

/** What the alert desk needs. */
export interface AlertDeskOptions {
  store: Store;
  delivery: ChannelDelivery;
  policy: AlertPolicy;
  logger: Logger;
  newAlertId?: () => string;
  /** Each target's system and `labels:` (by name), for `AlertLabels`; a target not listed has only its own name and system. */
  targets?: ReadonlyMap<string, TargetFacts>;
  silencer?: AlertSilencer;
  router?: AlertRouter;
  escalator?: AlertEscalator;
}

/**
 * Turns the findings of health runs into alerts: each check goes through the state machine (state kept in the
 * store, so a restart repeats nothing), and notifications go to the schedule's channels, with
 * quiet hours, resolved messages threaded under the alert, and Ack / Snooze.
 */
export class AlertDesk {
  private readonly newAlertId: () => string;

  constructor(private readonly options: AlertDeskOptions) {
    this.newAlertId = options.newAlertId ?? (() => randomBytes(3).toString('hex'));
  }

  /** Feeds the findings of one health run to the state machines; returns the notifications sent. */
  async observe(findings: readonly Finding[], channels: readonly Channel[], timeZone: string, now: number): Promise<AlertNotification[]> {
    return this.observeResults(checkResults(findings), this.options.policy, channels, timeZone, now);
  }

  /**
   * Feeds checks judged elsewhere (Prometheus alerts through Alertmanager) to the state machines: each is
   * notified on its first firing and resolved on its first `ok`, without `hold_runs`, since the source has held
   * it already (`for:`) and sends again only when something changes.
   */
  async observeExternal(results: readonly CheckResult[], channels: readonly Channel[], timeZone: string, now: number): Promise<AlertNotification[]> {
    return this.observeResults(results, { ...this.options.policy, holdRuns: 1 }, channels, timeZone, now);
  }

  private async observeResults(results: readonly CheckResult[], policy: AlertPolicy, channels: readonly Channel[], timeZone: string, now: number): Promise<AlertNotification[]> {
    const sent: AlertNotification[] = [];
    for (const result of results) {
      const alertId = this.newAlertId();
      const observation = { level: result.level, value: result.line.value, at: now };
      const transition = await this.options.store.update<CheckState, Transition>(alertKeys.check(result.key), (current) => {
        const next = advance(current, observation, policy, alertId);
        return { value: next.state, result: next };
      });
      if (!transition.notification) continue;
      await this.notify(transition.notification, result, channels, timeZone, now);
      sent.push(transition.notification);
    }
    return sent;
  }

  /** Acknowledges an open alert: no more reminders; its message shows who. Throws `UserError` when it is not open. */
  async ack(alertId: string, by: string, now: number): Promise<AlertRecord> {
    const record = await this.openRecord(alertId);
    await this.changeOpenCheck(record, (state) => acknowledge(state, by, now));
    record.acked = { by, at: now };
    await this.options.store.set(alertKeys.alert(record.id), record);
    await this.updatePosts(record);
    await this.options.escalator?.acknowledged(record, now);
    return record;
  }

  /** Silences an open alert until `until`; its message shows who and until when. */
  async snooze(alertId: string, by: string, until: number): Promise<AlertRecord> {
    const record = await this.openRecord(alertId);
    await this.changeOpenCheck(record, (state) => snooze(state, until));
    record.snoozed = { by, until };
    await this.options.store.set(alertKeys.alert(record.id), record);
    await this.updatePosts(record);
    return record;
  }

  private async notify(notification: AlertNotification, result: CheckResult, channels: readonly Channel[], timeZone: string, now: number): Promise<void> {
    const { store, delivery } = this.options;
    const stored = await store.get<AlertRecord>(alertKeys.alert(notification.alertId));
    const record: AlertRecord = stored ?? { id: notification.alertId, key: result.key, target: result.target, label: result.label, line: result.line, openedAt: now, posts: {} };
    if (notification.kind !== 'resolved') {
      record.line = result.line;
      if (result.links) record.links = result.links;
      if (result.source) record.source = result.source;
    }
    const labels = this.labelsOf(result, notification);
    if (notification.kind !== 'resolved') {
      const silencedBy = await this.options.silencer?.silencing(labels, now);
      if (silencedBy !== undefined) {
        this.options.logger.info({ alert: record.id, check: record.key, silencedBy }, 'alert silenced');
        await store.set(alertKeys.alert(record.id), record);
        return;
      }
    }
    const routed = this.options.router?.channelsFor(labels, channels) ?? channels;
    const message = alertMessage(notification, record, now);
    this.options.logger.info({ alert: record.id, kind: notification.kind, check: record.key }, 'alert notification');
    const critical = notification.kind === 'resolved' ? notification.worst === 'crit' : notification.level === 'crit';
    for (const channel of routed) {
      if (delivery.isQuiet(channel, critical, new Date(now), timeZone)) continue;
      const where = channelKey(channel);
      if (notification.kind === 'resolved') {
        const thread = record.posts[where];
        if (thread) await delivery.post(channel, message, thread);
        continue;
      }
      const handle = await delivery.post(channel, message);
      if (handle && !record.posts[where]) record.posts[where] = { platform: handle.platform, id: handle.id };
    }
    if (notification.kind === 'resolved') {
      record.resolvedAt = now;
      await store.set(alertKeys.alert(record.id), record, resolvedRetentionMs);
      await this.options.escalator?.resolved(record, now);
    } else {
      await store.set(alertKeys.alert(record.id), record);
      if (notification.kind === 'raised' || notification.kind === 'changed') await this.options.escalator?.raised(record, labels, notification.level, now);
    }
  }

  /** `target`, `system`, `check`, `severity`, the target's own labels and the check's (a Prometheus alert's). */
  private labelsOf(result: CheckResult, notification: AlertNotification): AlertLabels {
    const facts = this.options.targets?.get(result.targetName);
    const severity = notification.kind === 'resolved' ? notification.worst : notification.level;
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
    const message = acknowledgedMessage(record);
    for (const handle of Object.values(record.posts)) await this.options.delivery.update(handle, message);
  }
}
