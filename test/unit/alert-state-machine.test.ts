import { describe, expect, it } from 'vitest';
import { acknowledge, advance, snooze, type AlertLevel, type AlertNotification, type CheckState } from '../../src/alerts/state-machine.js';

const minute = 60_000;
const hour = 60 * minute;
const policy = { holdRuns: 2, renotifyAfterMs: 4 * hour };

/** Feeds levels at 5-minute runs from a fake clock; returns every notification in order. */
function feed(levels: AlertLevel[], start: { state?: CheckState; at?: number } = {}) {
  let state = start.state;
  let at = start.at ?? 0;
  let ids = 0;
  const notifications: AlertNotification[] = [];
  for (const level of levels) {
    at += 5 * minute;
    const next = advance(state, { level, value: `${level} figure`, at }, policy, `a${++ids}`);
    state = next.state;
    if (next.notification) notifications.push(next.notification);
  }
  return { state: state!, notifications, at };
}

describe('the alert state machine', () => {
  it('says nothing when a check flaps ok / warn / ok inside the hold window', () => {
    const { notifications, state } = feed(['ok', 'warn', 'ok', 'warn', 'ok', 'crit', 'ok']);
    expect(notifications).toEqual([]);
    expect(state.level).toBe('ok');
  });

  it('raises one alert for a check that stays critical, re-notifies every 4 h, then resolves exactly once', () => {
    const hours = 9;
    const { notifications } = feed([...Array<AlertLevel>((hours * 60) / 5).fill('crit'), 'ok', 'ok', 'ok']);
    expect(notifications.map((n) => n.kind)).toEqual(['raised', 'renotify', 'renotify', 'resolved']);
    expect(notifications[0]).toMatchObject({ kind: 'raised', level: 'crit', alertId: 'a2' });
    expect(notifications.every((n) => n.alertId === 'a2')).toBe(true);
    expect(notifications[3]).toMatchObject({ kind: 'resolved', worst: 'crit' });
  });

  it('stops re-notifying once acked, and still sends the resolved note', () => {
    const raised = feed(['crit', 'crit']);
    const acked = acknowledge(raised.state, 'alice', raised.at);
    const later = feed([...Array<AlertLevel>(100).fill('crit'), 'ok', 'ok'], { state: acked, at: raised.at });
    expect(later.notifications.map((n) => n.kind)).toEqual(['resolved']);
  });

  it('holds re-notifications while snoozed and reminds once the snooze ends', () => {
    const raised = feed(['crit', 'crit']);
    const snoozed = snooze(raised.state, raised.at + hour);
    const during = feed(Array<AlertLevel>(11).fill('crit'), { state: snoozed, at: raised.at });
    expect(during.notifications).toEqual([]);
    const after = feed(['crit', 'crit'], { state: during.state, at: during.at });
    expect(after.notifications.map((n) => n.kind)).toEqual(['renotify']);
  });

  it('tells about an escalation from warn to crit, which clears an ack', () => {
    const warned = feed(['warn', 'warn']);
    const acked = acknowledge(warned.state, 'bob', warned.at);
    const escalated = feed(['crit', 'crit'], { state: acked, at: warned.at });
    expect(escalated.notifications).toEqual([expect.objectContaining({ kind: 'changed', from: 'warn', level: 'crit', alertId: 'a2' })]);
    expect(escalated.state.acked).toBeUndefined();
  });
});
