import { describe, expect, it } from 'vitest';
import { AlertDesk, alertKeys } from '../../src/alerts/alert-desk.js';
import type { Finding } from '../../src/core/finding.js';
import type { Message } from '../../src/core/report.js';
import type { ChatPort, MessageHandle } from '../../src/core/responder.js';
import type { LineStatus } from '../../src/core/status.js';
import { createLogger } from '../../src/logging/logger.js';
import type { Channel } from '../../src/outbound/channels.js';
import { ChannelDelivery } from '../../src/outbound/delivery.js';
import { OutboundRegistry } from '../../src/outbound/registry.js';
import { MemoryStore } from '../../src/store/memory-store.js';

const logger = createLogger({ level: 'silent', pretty: false });

interface Posted {
  channel: string;
  message: Message;
  thread?: MessageHandle;
  handle: MessageHandle;
}

function recordingPort(): ChatPort & { posted: Posted[]; updated: Message[] } {
  const posted: Posted[] = [];
  const updated: Message[] = [];
  return {
    platform: 'slack',
    posted,
    updated,
    async post(channel, message, options) {
      const handle: MessageHandle = { platform: 'slack', id: `${channel}/${posted.length + 1}` };
      posted.push({ channel, message, handle, ...(options?.thread ? { thread: options.thread } : {}) });
      return handle;
    },
    async replyTo(parent, message) {
      return this.post(parent.id, message, { thread: parent });
    },
    async update(_handle, message) {
      updated.push(message);
    },
  };
}

function health(status: LineStatus, label = 'connections', checkId = `postgres.${label}`): Finding[] {
  return [{ checkId, target: 'main-db', system: 'postgres', status, label, text: `${status} figure` }];
}

function setup(channels: Channel[] = [{ platform: 'slack', id: 'C0OPS' }]) {
  const store = new MemoryStore();
  const port = recordingPort();
  const outbound = new OutboundRegistry();
  outbound.connect(port);
  let ids = 0;
  const desk = new AlertDesk({ store, delivery: new ChannelDelivery(outbound, logger), policy: { holdRuns: 2, renotifyAfterMs: 4 * 3_600_000 }, logger, newAlertId: () => `id${++ids}` });
  return { store, port, desk, channels };
}

const titleOf = (message: Message) => (message.kind === 'report' ? message.title : message.text);
const at = (hour: number, minute = 0) => Date.UTC(2026, 0, 15, hour, minute);

describe('alert delivery', () => {
  it('posts an alert with Ack and Snooze buttons, and threads the resolved note under it', async () => {
    const { port, desk, channels } = setup();
    for (const [i, status] of (['crit', 'crit', 'ok', 'ok'] as const).entries()) await desk.observe(health(status), channels, 'UTC', at(12, i * 5));
    expect(port.posted.map((post) => titleOf(post.message))).toEqual(['CRIT: main-db (postgres) · connections', 'RESOLVED: main-db (postgres) · connections']);
    const alert = port.posted[0]!;
    expect(alert.message.kind === 'report' && alert.message.buttons).toEqual([
      { label: 'Ack', command: 'ack id2', style: 'primary' },
      { label: 'Snooze 1 h', command: 'snooze id2 1h' },
    ]);
    expect(port.posted[1]!.thread).toEqual(alert.handle);
  });

  it('shows who acked on the alert message, and refuses to ack a resolved alert', async () => {
    const { port, desk, channels } = setup();
    await desk.observe(health('crit'), channels, 'UTC', at(12));
    await desk.observe(health('crit'), channels, 'UTC', at(12, 5));
    await desk.ack('id2', 'alice', at(12, 6));
    expect(port.updated.map((message) => (message.kind === 'report' ? message.summary : ''))).toEqual([expect.stringContaining('Acked by alice')]);
    for (let minute = 10; minute < 60 * 9; minute += 5) await desk.observe(health('crit'), channels, 'UTC', at(12, minute));
    expect(port.posted).toHaveLength(1);
    await desk.observe(health('ok'), channels, 'UTC', at(22));
    await desk.observe(health('ok'), channels, 'UTC', at(22, 5));
    await expect(desk.ack('id2', 'bob', at(22, 6))).rejects.toThrow('Alert id2 is already resolved.');
    await expect(desk.ack('nope', 'bob', at(22, 6))).rejects.toThrow('There is no alert nope.');
  });

  it('follows a check by target and check id, so a renamed line carries on its alert', async () => {
    const { port, desk, store, channels } = setup();
    await desk.observe(health('crit', 'connections'), channels, 'UTC', at(12));
    await desk.observe(health('crit', 'connections'), channels, 'UTC', at(12, 5));
    for (const minute of [10, 15]) await desk.observe(health('crit', 'client connections', 'postgres.connections'), channels, 'UTC', at(12, minute));
    for (const minute of [20, 25]) await desk.observe(health('ok', 'client connections', 'postgres.connections'), channels, 'UTC', at(12, minute));
    expect(port.posted.map((post) => titleOf(post.message))).toEqual(['CRIT: main-db (postgres) · connections', 'RESOLVED: main-db (postgres) · connections']);
    expect(await store.get(alertKeys.check('main-db/postgres.connections'))).toMatchObject({ level: 'ok' });
  });

  it('lets only critical alerts through during a channel’s quiet hours', async () => {
    const { port, desk, channels } = setup([{ platform: 'slack', id: 'C0NIGHT', quiet_hours: { from: '22:00', to: '07:00' } }]);
    await desk.observe(health('warn', 'disk'), channels, 'UTC', at(23));
    await desk.observe(health('warn', 'disk'), channels, 'UTC', at(23, 5));
    await desk.observe(health('crit', 'connections'), channels, 'UTC', at(23, 10));
    await desk.observe(health('crit', 'connections'), channels, 'UTC', at(23, 15));
    expect(port.posted.map((post) => titleOf(post.message))).toEqual(['CRIT: main-db (postgres) · connections']);
  });

  it('logs a channel on a platform that is not connected and carries on', async () => {
    const { port, desk } = setup();
    const channels: Channel[] = [{ platform: 'discord', id: '123' }, { platform: 'slack', id: 'C0OPS' }];
    await desk.observe(health('crit'), channels, 'UTC', at(12));
    await desk.observe(health('crit'), channels, 'UTC', at(12, 5));
    expect(port.posted.map((post) => post.channel)).toEqual(['C0OPS']);
  });
});
