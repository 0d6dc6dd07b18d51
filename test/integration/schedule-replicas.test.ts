import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { AlertDesk } from '../../src/alerts/alert-desk.js';
import type { Finding } from '../../src/core/finding.js';
import type { Message } from '../../src/core/report.js';
import type { ChatPort, MessageHandle } from '../../src/core/responder.js';
import type { LineStatus } from '../../src/core/status.js';
import { createLogger } from '../../src/logging/logger.js';
import { ChannelDelivery } from '../../src/outbound/delivery.js';
import { OutboundRegistry } from '../../src/outbound/registry.js';
import type { JobRun } from '../../src/schedule/jobs.js';
import { schedulesSchema, type Schedule } from '../../src/schedule/schedule-config.js';
import { Scheduler } from '../../src/schedule/scheduler.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { eventually } from '../support/services.js';

const redisUrl = 'redis://127.0.0.1:6379';
const prefix = `maintbot-schedule-test-${process.pid}-${Date.now()}:`;
const logger = createLogger({ level: 'silent', pretty: false });
const opened: RedisStore[] = [];

afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

async function openStore(): Promise<RedisStore> {
  const store = await RedisStore.connect(redisUrl, { prefix });
  opened.push(store);
  return store;
}

function slackPort(posted: { message: Message; thread?: MessageHandle; handle: MessageHandle }[]): OutboundRegistry {
  const port: ChatPort = {
    platform: 'slack',
    async post(channel, message, options) {
      const handle: MessageHandle = { platform: 'slack', id: `${channel}/${posted.length + 1}` };
      posted.push({ message, handle, ...(options?.thread ? { thread: options.thread } : {}) });
      return handle;
    },
    async replyTo(parent, message) {
      return this.post(parent.id, message, { thread: parent });
    },
    async update() {},
  };
  const outbound = new OutboundRegistry();
  outbound.connect(port);
  return outbound;
}

function health(status: LineStatus): Finding[] {
  return [{ checkId: 'postgres.connections', target: 'orders', system: 'postgres', status, label: 'connections', text: `${status} figure` }];
}

describe('schedules and alerts on the real Redis', () => {
  it('repeats no alert after a restart, and threads the resolved note under the alert posted before it', async () => {
    const posted: { message: Message; thread?: MessageHandle; handle: MessageHandle }[] = [];
    const channels = [{ platform: 'slack' as const, id: 'C0OPS' }];
    const policy = { holdRuns: 2, renotifyAfterMs: 4 * 3_600_000 };
    const start = Date.UTC(2026, 0, 15, 12);
    const before = await openStore();
    const deskBefore = new AlertDesk({ store: before, delivery: new ChannelDelivery(slackPort(posted), logger), policy, logger });
    await deskBefore.observe(health('crit'), channels, 'UTC', start);
    await deskBefore.observe(health('crit'), channels, 'UTC', start + 300_000);
    expect(posted).toHaveLength(1);
    await before.close();

    const after = await openStore();
    const deskAfter = new AlertDesk({ store: after, delivery: new ChannelDelivery(slackPort(posted), logger), policy, logger });
    for (let run = 2; run < 12; run++) await deskAfter.observe(health('crit'), channels, 'UTC', start + run * 300_000);
    expect(posted).toHaveLength(1);
    await deskAfter.observe(health('ok'), channels, 'UTC', start + 12 * 300_000);
    await deskAfter.observe(health('ok'), channels, 'UTC', start + 13 * 300_000);
    await deskAfter.observe(health('ok'), channels, 'UTC', start + 14 * 300_000);
    expect(posted.map((post) => (post.message.kind === 'report' ? post.message.title : ''))).toEqual([
      'CRIT: orders (postgres) · connections',
      'RESOLVED: orders (postgres) · connections',
    ]);
    expect(posted[1]!.thread).toEqual(posted[0]!.handle);
  });

  it('runs each every-second tick exactly once across two schedulers, also when one stops and a new one starts', async () => {
    const schedules: Schedule[] = schedulesSchema.parse([
      { name: 'tick-test', cron: '* * * * * *', timezone: 'UTC', run: { report: 'morning' }, channels: [{ platform: 'slack', id: 'C0OPS' }] },
    ]);
    const runs: { owner: string; tick: string }[] = [];
    const scheduler = async (name: string) => {
      const store = await openStore();
      const instance: Scheduler = new Scheduler({
        schedules,
        store,
        delivery: new ChannelDelivery(slackPort([]), logger),
        logger,
        hasRunbook: () => false,
        owner: name,
        runJob: async (run: JobRun) => {
          runs.push({ owner: name, tick: run.tick.toISOString() });
          return 'ok';
        },
      });
      await instance.start();
      return instance;
    };
    const a = await scheduler('a');
    const b = await scheduler('b');
    await eventually('three ticks run by a and b', () => runs.length >= 3, 20_000);
    await a.stop();
    const ranBeforeC = runs.length;
    const c = await scheduler('c');
    await eventually('two ticks run by b and c', () => runs.length >= ranBeforeC + 2, 20_000);
    await Promise.all([b.stop(), c.stop()]);

    const ticks = runs.map((run) => run.tick);
    expect(new Set(ticks).size).toBe(ticks.length);
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    const seconds = ticks.map((tick) => Date.parse(tick) / 1000).sort((x, y) => x - y);
    expect(seconds.at(-1)! - seconds[0]! + 1).toBe(seconds.length);

    const listed = await b.list();
    expect(listed[0]).toMatchObject({ timeZone: 'UTC', lastRun: { outcome: 'ok', summary: 'ok' } });
  });
});
