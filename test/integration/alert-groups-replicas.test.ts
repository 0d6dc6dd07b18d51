import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertDesk, alertKeys, type AlertGroupState } from '../../src/alerts/alert-desk.js';
import { renderSlackMessages } from '../../src/chat/slack/blocks.js';
import type { Finding } from '../../src/core/finding.js';
import type { Message, Report } from '../../src/core/report.js';
import type { ChatPort, MessageHandle } from '../../src/core/responder.js';
import { createLogger } from '../../src/logging/logger.js';
import { ChannelDelivery } from '../../src/outbound/delivery.js';
import { OutboundRegistry } from '../../src/outbound/registry.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { startOwnRedis, type OwnRedis } from '../support/services.js';

const logger = createLogger({ level: 'silent', pretty: false });
const channels = [{ platform: 'slack' as const, id: 'C0OPS' }];
const policy = { holdRuns: 2, renotifyAfterMs: 4 * 3_600_000 };
const start = Date.UTC(2026, 0, 15, 12);

/** One Slack workspace seen by every replica: posts (with their thread) and updates, each message within Slack's limits. */
interface Workspace {
  posts: { message: Message; thread?: MessageHandle; handle: MessageHandle; by: string }[];
  updates: { handle: MessageHandle; message: Message; by: string }[];
}

let redis: OwnRedis;
const stores: RedisStore[] = [];

beforeAll(async () => {
  redis = await startOwnRedis();
});

afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await redis?.stop();
});

async function replica(name: string, workspace: Workspace): Promise<AlertDesk> {
  const store = await RedisStore.connect(redis.url, { prefix: 'maintbot-groups:' });
  stores.push(store);
  const port: ChatPort = {
    platform: 'slack',
    async post(channel, message, options) {
      const handle: MessageHandle = { platform: 'slack', id: `${channel}/${workspace.posts.length + 1}` };
      workspace.posts.push({ message, handle, by: name, ...(options?.thread ? { thread: options.thread } : {}) });
      return handle;
    },
    async replyTo(parent, message) {
      return this.post('C0OPS', message, { thread: parent });
    },
    async update(handle, message) {
      workspace.updates.push({ handle, message, by: name });
    },
    fitsOneMessage: (message) => renderSlackMessages(message).length === 1,
  };
  const outbound = new OutboundRegistry();
  outbound.connect(port);
  return new AlertDesk({ store, delivery: new ChannelDelivery(outbound, logger), policy, logger, groupWaitMs: 20 * 60_000 });
}

function failing(names: string[], status: 'crit' | 'ok' = 'crit'): Finding[] {
  return names.map((target) => ({ checkId: 'http.status', target, system: 'http', status, label: 'status', text: status === 'ok' ? '200 OK' : '503', threshold: 'expect 200' }));
}

const names = (from: number, count: number) => Array.from({ length: count }, (_, index) => `web-${String(from + index).padStart(2, '0')}`);
const lines = (message: Message) => (message.kind === 'report' ? message.sections.flatMap((section) => section.lines) : []);

describe('grouped alerts across three replicas on one Redis', () => {
  it('an ack on one replica updates the group another posted; a run on a third joins it; the recovery goes in its thread', async () => {
    const workspace: Workspace = { posts: [], updates: [] };
    const [a, b, c] = [await replica('a', workspace), await replica('b', workspace), await replica('c', workspace)];
    const firstTwenty = failing(names(1, 20));
    await a.observe(firstTwenty, channels, 'UTC', start);
    await b.observe(firstTwenty, channels, 'UTC', start + 300_000);
    const [root, ...followUps] = workspace.posts;
    expect(root).toMatchObject({ by: 'b', message: { title: 'CRIT: 20 alerts on 20 targets' } });
    expect(followUps.every((post) => post.thread?.id === root!.handle.id)).toBe(true);

    const alertId = lines(root!.message)[0]!.buttons![0]!.command.split(' ')[1]!;
    await c.ack(alertId, 'dana', start + 360_000);
    expect(workspace.updates.map((update) => [update.by, update.handle.id])).toEqual([['c', root!.handle.id]]);
    expect(lines(workspace.updates[0]!.message)[0]!.note).toMatch(/Acked by dana/);

    const more = [...firstTwenty, ...failing(names(21, 10))];
    await a.observe(more, channels, 'UTC', start + 600_000);
    await c.observe(more, channels, 'UTC', start + 900_000);
    expect(workspace.posts.filter((post) => !post.thread)).toEqual([root]);
    const rootNow = workspace.updates.filter((update) => update.handle.id === root!.handle.id).at(-1)!;
    expect(rootNow).toMatchObject({ by: 'c', message: { title: 'CRIT: 30 alerts on 30 targets' } });
    expect(lines(rootNow.message)[0]!.note).toMatch(/Acked by dana/);
    const group = (await stores[0]!.get<AlertGroupState>(alertKeys.group((await stores[0]!.get<string>(alertKeys.openGroup('slack:C0OPS')))!)))!;
    expect(group.entries).toHaveLength(30);
    expect(group.pages.flatMap((page) => page.alertIds)).toHaveLength(30);
    expect(group.pages.every((page) => page.handle !== undefined)).toBe(true);

    const before = workspace.posts.length;
    await b.observe(failing(names(1, 30), 'ok'), channels, 'UTC', start + 1_200_000);
    await a.observe(failing(names(1, 30), 'ok'), channels, 'UTC', start + 1_500_000);
    const notes = workspace.posts.slice(before);
    expect(notes.every((post) => post.thread?.id === root!.handle.id)).toBe(true);
    expect((notes[0]!.message as Report).title).toBe('RESOLVED: 30 alerts');
    expect(notes.flatMap((post) => lines(post.message))).toHaveLength(30);
  }, 30_000);
});
