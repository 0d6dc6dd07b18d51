import { notice } from '../core/report.js';
import type { BuiltinHandler } from '../router/router.js';
import type { AlertDesk } from './alert-desk.js';

/** `/maint ack <alert-id>`: stops the reminders of an open alert and shows who took it. */
export function ackCommand(alerts: AlertDesk): BuiltinHandler {
  return async ({ invocation, responder, args }) => {
    const record = await alerts.ack(String(args.values.id), invocation.actor.name, Date.now());
    await responder.reply(notice('info', `${invocation.actor.name} acked alert ${record.id} (${record.target} · ${record.label}): no more reminders; the resolved note still follows.`));
  };
}

/** `/maint snooze <alert-id> [duration]`: silences an open alert for a while (1 h unless given). */
export function snoozeCommand(alerts: AlertDesk, defaultMs: number): BuiltinHandler {
  return async ({ invocation, responder, args }) => {
    const forMs = typeof args.values.duration === 'number' ? args.values.duration : defaultMs;
    const until = Date.now() + forMs;
    const record = await alerts.snooze(String(args.values.id), invocation.actor.name, until);
    await responder.reply(
      notice('info', `${invocation.actor.name} snoozed alert ${record.id} (${record.target} · ${record.label}) until ${new Date(until).toISOString().slice(11, 16)} UTC.`),
    );
  };
}
