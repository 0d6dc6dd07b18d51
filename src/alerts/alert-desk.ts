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
    const sent: AlertNotification[] = [];
    for (const result of checkResults(findings)) {
      const alertId = this.newAlertId();
      const observation = { level: result.level, value: result.line.value, at: now };
      const transition = await this.options.store.update<HeldState, Transition>(alertKeys.check(result.key), (current) => {
        const next = advance(current, observation, this.options.policy, alertId);
        return { value: next.state, result: next };
      });
      const notification = transition.notification ?? heldBack(transition.state);
      if (!notification) continue;
      const outcome = await this.notify(notification, result, channels, timeZone, now);
      await this.holdBack(result.key, transition.state, notification.alertId, outcome === 'held back', now);
      if (outcome === 'posted') sent.push(notification);
    }
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

  /** Posts one notification, unless a silence covers it: `held back` when nobody has seen the alert yet. */
  private async notify(notification: AlertNotification, result: CheckResult, channels: readonly Channel[], timeZone: string, now: number): Promise<'posted' | 'silenced' | 'held back'> {
    const { store, delivery } = this.options;
    const stored = await store.get<AlertRecord>(alertKeys.alert(notification.alertId));
    const record: AlertRecord = stored ?? { id: notification.alertId, key: result.key, target: result.target, label: result.label, line: result.line, openedAt: now, posts: {} };
    if (notification.kind !== 'resolved') record.line = result.line;
    const labels = this.labelsOf(result, notification);
    if (notification.kind !== 'resolved') {
      const silencedBy = await this.options.silencer?.silencing(labels, now);
      if (silencedBy !== undefined) {
        this.options.logger.info({ alert: record.id, check: record.key, silencedBy }, 'alert silenced');
        await store.set(alertKeys.alert(record.id), record);
        return Object.keys(record.posts).length === 0 ? 'held back' : 'silenced';
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
    return 'posted';
  }

  /** `target`, `system`, `check`, `severity` and the target's own labels. */
  private labelsOf(result: CheckResult, notification: AlertNotification): AlertLabels {
    const facts = this.options.targets?.get(result.targetName);
    const severity = notification.kind === 'resolved' ? notification.worst : notification.level;
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

  private async updatePosts(record: AlertRecord): Promise<void> {
    const message = acknowledgedMessage(record);
    for (const handle of Object.values(record.posts)) await this.options.delivery.update(handle, message);
  }
}
