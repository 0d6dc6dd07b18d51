import { describe, expect, it } from 'vitest';
import { AlertDesk, type AlertDeskOptions } from '../../src/alerts/alert-desk.js';
import { parseMatcher } from '../../src/alerts/matchers.js';
import type { InhibitRule } from '../../src/alerts/inhibition.js';
import { renderDiscordMessages } from '../../src/chat/discord/embeds.js';
import { discordLimits } from '../../src/chat/discord/message-body.js';
import { renderSlackMessages } from '../../src/chat/slack/blocks.js';
import { slackLimits } from '../../src/chat/slack/limits.js';
import type { Finding } from '../../src/core/finding.js';
import type { Message, Report } from '../../src/core/report.js';
import type { ChatPort, MessageHandle } from '../../src/core/responder.js';
import type { Platform } from '../../src/core/invocation.js';
import type { LineStatus } from '../../src/core/status.js';
import { createLogger } from '../../src/logging/logger.js';
import type { Channel } from '../../src/outbound/channels.js';
import { ChannelDelivery } from '../../src/outbound/delivery.js';
import { OutboundRegistry } from '../../src/outbound/registry.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { TargetFacts } from '../../src/systems/registry.js';
import { expectGolden } from '../support/golden.js';

const logger = createLogger({ level: 'silent', pretty: false });

interface Post {
  channel: string;
  message: Message;
  thread?: MessageHandle;
  handle: MessageHandle;
}

/** A chat platform that keeps every post (with its thread) and update, and takes messages as Slack or Discord would render them. */
function platformPort(platform: Extract<Platform, 'slack' | 'discord'>): ChatPort & { posts: Post[]; updates: { handle: MessageHandle; message: Message }[] } {
  const posts: Post[] = [];
  const updates: { handle: MessageHandle; message: Message }[] = [];
  let counter = 0;
  return {
    platform,
    posts,
    updates,
    async post(channel, message, options) {
      const handle: MessageHandle = { platform, id: `${channel}/${++counter}` };
      posts.push({ channel, message, handle, ...(options?.thread ? { thread: options.thread } : {}) });
      return handle;
    },
    async replyTo(parent, message) {
      return this.post(parent.id.split('/')[0]!, message, { thread: parent });
    },
    async update(handle, message) {
      updates.push({ handle, message });
    },
    fitsOneMessage(message) {
      return platform === 'slack' ? renderSlackMessages(message).length === 1 : renderDiscordMessages(message).length === 1;
    },
  };
}

const slackChannel: Channel = { platform: 'slack', id: 'C0OPS' };
const discordChannel: Channel = { platform: 'discord', id: '1001' };

function setup(options: Pick<AlertDeskOptions, 'groupWaitMs' | 'inhibitRules' | 'targets' | 'silencer' | 'router'> = {}) {
  const store = new MemoryStore();
  const slack = platformPort('slack');
  const discord = platformPort('discord');
  const outbound = new OutboundRegistry();
  outbound.connect(slack);
  outbound.connect(discord);
  let ids = 0;
  let groups = 0;
  const desk = new AlertDesk({
    store,
    delivery: new ChannelDelivery(outbound, logger),
    policy: { holdRuns: 2, renotifyAfterMs: 4 * 3_600_000 },
    logger,
    newAlertId: () => `a${++ids}`,
    newGroupId: () => `g${++groups}`,
    ...options,
  });
  return { store, slack, discord, desk };
}

function finding(target: string, status: LineStatus, checkId = 'http.status', label = 'status', system = 'http'): Finding {
  return { checkId, target, system, status, label, text: status === 'ok' ? '200 OK' : '503 Service Unavailable', threshold: 'expect 200', note: 'the endpoint answers with an error: look at its logs' };
}

/** `count` HTTP targets, web-01…, the first `critical` of them crit and the rest warn (ok when `status` is ok). */
function storm(count: number, status: 'failing' | 'ok', critical = count): Finding[] {
  return Array.from({ length: count }, (_, index) => finding(`web-${String(index + 1).padStart(2, '0')}`, status === 'ok' ? 'ok' : index < critical ? 'crit' : 'warn'));
}

const at = (minute: number) => Date.UTC(2026, 0, 15, 12, minute);

/** Runs the desk twice (hold_runs 2) with the same findings. */
async function twice(desk: AlertDesk, findings: Finding[], channels: Channel[], from: number) {
  await desk.observe(findings, channels, 'UTC', at(from));
  return desk.observe(findings, channels, 'UTC', at(from + 5));
}

const topLevel = (posts: Post[]) => posts.filter((post) => !post.thread);
const linesOf = (message: Message) => (message.kind === 'report' ? message.sections.flatMap((section) => section.lines) : []);
const titleOf = (message: Message) => (message.kind === 'report' ? message.title : message.text);

describe('grouped alerts', () => {
  it('posts the 30 alerts of one run as one message per channel, worst first, its overflow in the thread within each platform’s limits', async () => {
    const { slack, discord, desk } = setup();
    const sent = await twice(desk, storm(30, 'failing', 10).reverse(), [slackChannel, discordChannel], 0);
    expect(sent).toHaveLength(30);
    for (const port of [slack, discord]) {
      const [root, ...others] = port.posts;
      expect(topLevel(port.posts)).toEqual([root]);
      expect(others.length).toBeGreaterThan(0);
      expect(others.every((post) => post.thread?.id === root!.handle.id)).toBe(true);
      expect(titleOf(root!.message)).toBe('CRIT: 30 alerts on 30 targets');
      const shown = port.posts.flatMap((post) => linesOf(post.message));
      expect(shown.map((line) => line.status)).toEqual([...Array(10).fill('crit'), ...Array(20).fill('warn')]);
      expect(new Set(shown.flatMap((line) => line.buttons?.map((button) => button.command) ?? [])).size).toBe(60);
    }
    for (const post of slack.posts) {
      const rendered = renderSlackMessages(post.message);
      expect(rendered).toHaveLength(1);
      expect(rendered[0]!.blocks.length).toBeLessThanOrEqual(slackLimits.blocksPerMessage);
      const actions = rendered[0]!.blocks.filter((block) => block.type === 'actions');
      expect(actions.every((block) => block.type === 'actions' && block.elements.length <= slackLimits.elementsPerActions)).toBe(true);
    }
    for (const post of discord.posts) {
      const [rendered, ...split] = renderDiscordMessages(post.message);
      expect(split).toEqual([]);
      expect(rendered!.embeds.length).toBeLessThanOrEqual(discordLimits.embedsPerMessage);
      expect(rendered!.components.length).toBeLessThanOrEqual(discordLimits.rowsPerMessage);
      expect(rendered!.components.every((row) => row.components.length <= discordLimits.buttonsPerRow)).toBe(true);
      const buttons = rendered!.components.flatMap((row) => row.components.map((button) => ('custom_id' in button ? button.custom_id : button.url)));
      expect(buttons).toEqual(linesOf(post.message).flatMap((line) => line.buttons?.map((button) => button.command) ?? []));
    }
    expectGolden('slack', 'alert-group-first', renderSlackMessages(slack.posts[0]!.message)[0]);
    expectGolden('discord', 'alert-group-first', renderDiscordMessages(discord.posts[0]!.message)[0]);
  });

  it('posts one resolved note per thread when the storm recovers, and one per group thread when alerts of two groups resolve together', async () => {
    const { slack, desk } = setup();
    await twice(desk, storm(30, 'failing'), [slackChannel], 0);
    const later = [finding('api', 'crit'), finding('db', 'crit')];
    await twice(desk, [...storm(30, 'failing'), ...later], [slackChannel], 10);
    const [first, second] = topLevel(slack.posts);
    expect(titleOf(second!.message)).toBe('CRIT: 2 alerts on 2 targets');
    const before = slack.posts.length;
    const sent = await twice(desk, [...storm(30, 'ok'), finding('api', 'ok'), finding('db', 'ok')], [slackChannel], 20);
    expect(sent.map((notification) => notification.kind)).toEqual(Array(32).fill('resolved'));
    const notes = slack.posts.slice(before);
    expect(notes.every((post) => post.thread !== undefined)).toBe(true);
    const firstThread = notes.filter((post) => post.thread!.id === first!.handle.id);
    const secondThread = notes.filter((post) => post.thread!.id === second!.handle.id);
    expect(firstThread.length + secondThread.length).toBe(notes.length);
    expect(titleOf(firstThread[0]!.message)).toBe('RESOLVED: 30 alerts');
    expect(firstThread.flatMap((post) => linesOf(post.message)).map((line) => line.status)).toEqual(Array(30).fill('ok'));
    expect(firstThread.every((post) => renderSlackMessages(post.message).length === 1)).toBe(true);
    expect(secondThread.map((post) => titleOf(post.message))).toEqual(['RESOLVED: 2 alerts']);
  });

  it('keeps a group of one alert the alert’s own message, as before grouping', async () => {
    const { slack, desk } = setup();
    await twice(desk, [finding('api', 'crit')], [slackChannel], 0);
    expect(slack.posts).toHaveLength(1);
    const message = slack.posts[0]!.message as Report;
    expect(message.title).toBe('CRIT: api (http) · status');
    expect(message.buttons).toEqual([
      { label: 'Ack', command: 'ack a2', style: 'primary' },
      { label: 'Snooze 1 h', command: 'snooze a2 1h' },
    ]);
  });

  it('lets a later run within group_wait join the open group: its message is updated, the overflow goes in its thread', async () => {
    const { slack, desk } = setup({ groupWaitMs: 30 * 60_000 });
    await twice(desk, storm(2, 'failing'), [slackChannel], 0);
    expect(slack.posts.map((post) => titleOf(post.message))).toEqual(['CRIT: 2 alerts on 2 targets']);
    const root = slack.posts[0]!.handle;
    await twice(desk, [...storm(2, 'failing'), finding('api', 'warn'), ...storm(30, 'failing').slice(2)], [slackChannel], 10);
    expect(topLevel(slack.posts)).toHaveLength(1);
    const rootUpdates = slack.updates.filter((update) => update.handle.id === root.id);
    expect(titleOf(rootUpdates.at(-1)!.message)).toBe('CRIT: 31 alerts on 31 targets');
    const followUps = slack.posts.slice(1);
    expect(followUps.length).toBeGreaterThan(0);
    expect(followUps.every((post) => post.thread?.id === root.id)).toBe(true);
    const shown = [rootUpdates.at(-1)!.message, ...followUps.map((post) => post.message)].flatMap(linesOf);
    expect(shown).toHaveLength(31);
    expect(shown.at(-1)).toMatchObject({ status: 'warn', label: 'status' });

    await twice(desk, [...storm(30, 'failing'), finding('api', 'warn'), finding('late', 'crit')], [slackChannel], 40);
    expect(topLevel(slack.posts).map((post) => titleOf(post.message))).toEqual(['CRIT: 2 alerts on 2 targets', 'CRIT: late (http) · status']);
  });

  it('shows an alert that resolved meanwhile as resolved, without buttons, when a later run joins its group', async () => {
    const { slack, desk } = setup({ groupWaitMs: 30 * 60_000 });
    await twice(desk, storm(2, 'failing'), [slackChannel], 0);
    await twice(desk, [finding('web-01', 'ok'), finding('web-02', 'crit'), finding('api', 'crit')], [slackChannel], 10);
    const root = slack.posts[0]!;
    expect(slack.posts.slice(1).map((post) => [titleOf(post.message), post.thread?.id])).toEqual([['RESOLVED: web-01 (http) · status', root.handle.id]]);
    const joined = slack.updates.at(-1)!;
    expect(joined.handle.id).toBe(root.handle.id);
    expect(titleOf(joined.message)).toBe('CRIT: 3 alerts on 3 targets');
    const web01 = (joined.message as Report).sections.find((section) => section.title === 'web-01 (http)')!;
    expect(web01.status).toBe('ok');
    expect(web01.lines[0]).toMatchObject({ status: 'ok', note: expect.stringMatching(/^resolved at .* · alert a\d+$/) });
    expect(web01.lines[0]!.buttons).toBeUndefined();
  });

  it('groups the reminders of one run the same way', async () => {
    const { slack, desk } = setup();
    await twice(desk, storm(3, 'failing'), [slackChannel], 0);
    await desk.observe(storm(3, 'failing'), [slackChannel], 'UTC', at(5) + 4 * 3_600_000);
    const reminders = topLevel(slack.posts)[1]!.message as Report;
    expect(reminders.title).toBe('CRIT: 3 alerts on 3 targets');
    expect(reminders.summary).toBe('3 still critical');
    expect(linesOf(reminders).map((line) => line.label)).toEqual(Array(3).fill('status (still crit after 4 h)'));
  });

  it('acking one alert of a group updates only its line in the group message: who acked, and its buttons gone', async () => {
    const { slack, desk } = setup();
    await twice(desk, storm(3, 'failing'), [slackChannel], 0);
    const root = slack.posts[0]!;
    const target = linesOf(root.message)[1]!;
    const alertId = target.buttons![0]!.command.split(' ')[1]!;
    await desk.ack(alertId, 'alice', at(7));
    expect(slack.updates.map((update) => update.handle.id)).toEqual([root.handle.id]);
    const updated = slack.updates[0]!.message as Report;
    expect(updated.title).toBe('CRIT: 3 alerts on 3 targets');
    const [before, acked, after] = linesOf(updated);
    expect(acked!.note).toMatch(/Acked by alice at .* · alert a\d+$/);
    expect(acked!.buttons).toBeUndefined();
    expect(before!.buttons?.map((button) => button.label)).toEqual(['Ack: web-01 (http) · status', 'Snooze 1 h: web-01 (http) · status']);
    expect(after!.buttons).toHaveLength(2);
    await desk.snooze(linesOf(updated)[2]!.buttons![0]!.command.split(' ')[1]!, 'bob', at(60));
    const snoozed = linesOf(slack.updates[1]!.message);
    expect(snoozed[1]!.note).toMatch(/Acked by alice/);
    expect(snoozed[2]!.note).toMatch(/Snoozed by bob until/);
    expect(snoozed[2]!.buttons?.map((button) => button.label)).toEqual(['Ack: web-03 (http) · status']);
  });

  it('updates the follow-up in the thread that shows an acked alert, not the first message', async () => {
    const { slack, desk } = setup();
    await twice(desk, storm(30, 'failing'), [slackChannel], 0);
    const last = slack.posts.at(-1)!;
    const alertId = linesOf(last.message).at(-1)!.buttons![0]!.command.split(' ')[1]!;
    await desk.ack(alertId, 'carol', at(7));
    expect(slack.updates.map((update) => update.handle.id)).toEqual([last.handle.id]);
    expect(linesOf(slack.updates[0]!.message).at(-1)!.note).toMatch(/Acked by carol/);
  });
});

describe('grouping with the silencer and the router', () => {
  it('leaves silenced alerts out of the group, and groups per channel the router picks for each alert', async () => {
    const targets = new Map<string, TargetFacts>([
      ['pay-api', { system: 'http', labels: { team: 'payments' } }],
      ['pay-db', { system: 'http', labels: { team: 'payments' } }],
    ]);
    const payments: Channel = { platform: 'slack', id: 'C0PAY' };
    const { slack, desk } = setup({
      targets,
      silencer: { silencing: async (labels) => (labels.target === 'web-02' ? 'silence 7f3a' : undefined) },
      router: { channelsFor: (labels, fallback) => (labels.team === 'payments' ? [payments] : fallback) },
    });
    await twice(desk, [...storm(3, 'failing'), finding('pay-api', 'crit'), finding('pay-db', 'warn')], [slackChannel], 0);
    expect(slack.posts.map((post) => [post.channel, titleOf(post.message)])).toEqual([
      ['C0OPS', 'CRIT: 2 alerts on 2 targets'],
      ['C0PAY', 'CRIT: 2 alerts on 2 targets'],
    ]);
    expect((slack.posts[0]!.message as Report).sections.map((section) => section.title)).toEqual(['web-01 (http)', 'web-03 (http)']);
    expect((slack.posts[1]!.message as Report).sections.map((section) => section.title)).toEqual(['pay-api (http)', 'pay-db (http)']);
  });
});

describe('inhibition', () => {
  it('does not raise the other checks of a target whose reachable check fails, and raises them once it answers again', async () => {
    const { slack, desk } = setup();
    const down = [finding('cache', 'crit', 'reachable', 'reachable', 'redis'), finding('cache', 'crit', 'redis.memory', 'memory', 'redis'), finding('cache', 'warn', 'redis.clients', 'clients', 'redis')];
    await twice(desk, down, [slackChannel], 0);
    expect(slack.posts.map((post) => titleOf(post.message))).toEqual(['CRIT: cache (redis) · reachable']);
    const up = [finding('cache', 'ok', 'reachable', 'reachable', 'redis'), ...down.slice(1)];
    await twice(desk, up, [slackChannel], 10);
    expect(topLevel(slack.posts).map((post) => titleOf(post.message))).toEqual(['CRIT: cache (redis) · reachable', 'CRIT: 2 alerts on 1 target']);
    expect(linesOf(topLevel(slack.posts)[1]!.message).map((line) => line.label)).toEqual(['memory', 'clients']);
  });

  it('suppresses every target labelled host: db-host while db-host is unreachable, by an inhibit rule', async () => {
    const targets = new Map<string, TargetFacts>([
      ['db-host', { system: 'host', labels: { host: 'db-host' } }],
      ['orders-db', { system: 'postgres', labels: { host: 'db-host', team: 'shop' } }],
      ['cache', { system: 'redis', labels: { host: 'db-host' } }],
      ['api', { system: 'http', labels: { host: 'web-host' } }],
    ]);
    const rule: InhibitRule = { source: [parseMatcher('target=db-host'), parseMatcher('check=reachable')], target: [parseMatcher('host=db-host')], equal: [] };
    const { slack, desk } = setup({ inhibitRules: [rule], targets });
    const storm = [
      finding('db-host', 'crit', 'reachable', 'reachable', 'host'),
      finding('orders-db', 'crit', 'reachable', 'reachable', 'postgres'),
      finding('cache', 'crit', 'reachable', 'reachable', 'redis'),
      finding('api', 'crit'),
    ];
    await twice(desk, storm, [slackChannel], 0);
    expect(slack.posts).toHaveLength(1);
    expect(linesOf(slack.posts[0]!.message).length).toBe(2);
    expect(slack.posts[0]!.message.kind === 'report' && slack.posts[0]!.message.sections.map((section) => section.title)).toEqual(['db-host (host)', 'api (http)']);
  });

  it('inhibits only where the equal labels agree', async () => {
    const targets = new Map<string, TargetFacts>([
      ['gw-eu', { system: 'http', labels: { region: 'eu', role: 'gateway' } }],
      ['shop-eu', { system: 'http', labels: { region: 'eu' } }],
      ['shop-us', { system: 'http', labels: { region: 'us' } }],
    ]);
    const rule: InhibitRule = { source: [parseMatcher('role=gateway')], target: [parseMatcher('role!=gateway')], equal: ['region'] };
    const { slack, desk } = setup({ inhibitRules: [rule], targets });
    await twice(desk, [finding('gw-eu', 'crit'), finding('shop-eu', 'crit'), finding('shop-us', 'crit')], [slackChannel], 0);
    expect(slack.posts[0]!.message.kind === 'report' && slack.posts[0]!.message.sections.map((section) => section.title)).toEqual(['gw-eu (http)', 'shop-us (http)']);
  });
});
