import { notice } from '../core/report.js';
import { timeText } from '../core/time.js';
import type { BuiltinHandler } from '../router/router.js';
import type { AlertDesk } from './alert-desk.js';

/** `/maint ack <alert-id>`: stops the reminders of an open alert; the alert shows who took it, the person is told privately. */
export function ackCommand(alerts: AlertDesk): BuiltinHandler {
  return async ({ invocation, responder, args }) => {
    const record = await alerts.ack(String(args.values.id), invocation.actor.name, Date.now());
    await responder.replyPrivately(notice('info', `You acked alert ${record.id} (${record.target} · ${record.label}): no more reminders; the resolved note still follows.`));
  };
}

/** `/maint snooze <alert-id> [duration]`: silences an open alert for a while (1 h unless given); the alert shows who and until when. */
export function snoozeCommand(alerts: AlertDesk, defaultMs: number): BuiltinHandler {
  return async ({ invocation, responder, args }) => {
    const forMs = typeof args.values.duration === 'number' ? args.values.duration : defaultMs;
    const until = Date.now() + forMs;
    const record = await alerts.snooze(String(args.values.id), invocation.actor.name, until);
    await responder.replyPrivately(notice('info', `You snoozed alert ${record.id} (${record.target} · ${record.label}) until ${timeText(until)}.`));
  };
}
