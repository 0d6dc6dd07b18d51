import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertDesk } from '../../src/alerts/alert-desk.js';
import { Escalator } from '../../src/alerts/escalator.js';
import { RouteTable } from '../../src/alerts/routes.js';
import { configSchema } from '../../src/config/schema.js';
import type { Finding } from '../../src/core/finding.js';
import type { Message, Report } from '../../src/core/report.js';
import type { ChatPort, MessageHandle } from '../../src/core/responder.js';
import { createLogger } from '../../src/logging/logger.js';
import { ChannelDelivery } from '../../src/outbound/delivery.js';
import { OutboundRegistry } from '../../src/outbound/registry.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { eventually, startOwnRedis, type OwnRedis } from '../support/services.js';

const logger = createLogger({ level: 'silent', pretty: false });
const schedule = [{ platform: 'slack' as const, id: 'C0OPS' }];

interface Posted {
  channel: string;
  message: Message;
  handle: MessageHandle;
  by: string;
}

/** One Slack workspace both replicas post to. */
const posted: Posted[] = [];
const updated: { handle: MessageHandle; message: Message }[] = [];

let redis: OwnRedis;
const opened: { store: RedisStore; escalator: Escalator }[] = [];

beforeAll(async () => {
  redis = await startOwnRedis();
});

afterAll(async () => {
  for (const { store, escalator } of opened) {
    await escalator.stop();
    await store.close();
  }
  await redis?.stop();
});

/** One bot process on the shared Redis: its own store connection, desk and escalator (not started). */
async function replica(name: string) {
  const config = configSchema.parse({
    alerts: {
      routes: [
        {
          matchers: ['team=payments'],
          channels: [{ platform: 'slack', id: 'C0PAY' }],
          escalate: [
            { after: '1s', channels: [{ platform: 'slack', id: 'C0ONCALL' }], mention: { slack: { groups: ['S0123'] } } },
            { after: '2s', channels: [{ platform: 'slack', id: 'C0LEADS' }], mention: { slack: { users: ['U0LEAD'] } } },
          ],
        },
      ],
    },
  });
  const store = await RedisStore.connect(redis.url);
  const port: ChatPort = {
    platform: 'slack',
    async post(channel, message) {
      const handle: MessageHandle = { platform: 'slack', id: `${channel}/${posted.length + 1}` };
      posted.push({ channel, message, handle, by: name });
      return handle;
    },
    async replyTo(parent, message) {
      return this.post(parent.id.split('/')[0]!, message);
    },
    async update(handle, message) {
      updated.push({ handle, message });
    },
  };
  const outbound = new OutboundRegistry();
  outbound.connect(port);
  const delivery = new ChannelDelivery(outbound, logger);
  const routes = new RouteTable(config.alerts.routes);
  const escalator = new Escalator({ store, delivery, routes, logger });
  const targets = new Map(['pay-a', 'pay-b', 'pay-c'].map((target) => [target, { system: 'postgres', labels: { team: 'payments' } }]));
  const desk = new AlertDesk({ store, delivery, policy: { holdRuns: 1, renotifyAfterMs: 4 * 3_600_000 }, logger, targets, router: routes, escalator });
  const entry = { store, escalator };
  opened.push(entry);
  return {
    desk,
    escalator,
    async down() {
      opened.splice(opened.indexOf(entry), 1);
      await escalator.stop();
      await store.close();
    },
  };
}

function crit(target: string): Finding[] {
  return [{ checkId: 'postgres.connections', target, system: 'postgres', status: 'crit', label: 'connections', text: '98 of 100' }];
}

const escalations = (target: string, channel: string) =>
  posted.filter((post) => post.channel === channel && post.message.kind === 'report' && post.message.title === `ESCALATED: ${target} (postgres) · connections`);

describe('escalation on the real Redis, across a restart and two replicas', () => {
  it('posts each level once after the process that raised the alert is gone, and none after an ack on another replica', async () => {
    const first = await replica('first');
    await first.desk.observe(crit('pay-a'), schedule, 'UTC', Date.now());
    await first.down();
    expect(posted.map((post) => post.channel)).toEqual(['C0PAY']);

    const [left, right] = await Promise.all([replica('left'), replica('right')]);
    left.escalator.start();
    right.escalator.start();
    await eventually('the second level of pay-a', () => escalations('pay-a', 'C0LEADS').length > 0);
    expect(escalations('pay-a', 'C0ONCALL')).toHaveLength(1);
    expect(escalations('pay-a', 'C0LEADS')).toHaveLength(1);
    const level1 = escalations('pay-a', 'C0ONCALL')[0]!.message as Report;
    expect(level1.mentions).toEqual([{ kind: 'group', id: 'S0123' }]);
    expect(level1.summary).toBe('critical and not acked within 1 s (level 1 of 2): 98 of 100');

    await left.desk.observe(crit('pay-b'), schedule, 'UTC', Date.now());
    const paged = await eventually('the first level of pay-b', () => escalations('pay-b', 'C0ONCALL')[0]);
    const alertId = (paged.message as Report).buttons![0]!.command.split(' ')[1]!;
    await right.desk.ack(alertId, 'anna', Date.now());
    await left.desk.observe(crit('pay-c'), schedule, 'UTC', Date.now());
    await eventually('the second level of pay-c, raised after pay-b was acked', () => escalations('pay-c', 'C0LEADS').length > 0);
    expect(escalations('pay-b', 'C0LEADS')).toEqual([]);
    expect(escalations('pay-b', 'C0ONCALL')).toHaveLength(1);
    expect(updated.filter((update) => update.handle.id === paged.handle.id).map((update) => (update.message as Report).summary)).toEqual([expect.stringMatching(/^Acked by anna/)]);
  }, 30_000);
});
