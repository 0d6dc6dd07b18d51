import { describe, expect, it } from 'vitest';
import { AlertDesk } from '../../src/alerts/alert-desk.js';
import { Escalator } from '../../src/alerts/escalator.js';
import { RouteTable } from '../../src/alerts/routes.js';
import { renderDiscordMessage } from '../../src/chat/discord/embeds.js';
import { renderSlackMessage } from '../../src/chat/slack/blocks.js';
import { ConfigError, formatProblem } from '../../src/config/problems.js';
import { configSchema } from '../../src/config/schema.js';
import { parseYamlText } from '../../src/config/yaml-file.js';
import type { Finding } from '../../src/core/finding.js';
import type { Platform } from '../../src/core/invocation.js';
import type { Message, Report } from '../../src/core/report.js';
import type { ChatPort, MessageHandle } from '../../src/core/responder.js';
import type { LineStatus } from '../../src/core/status.js';
import { createLogger } from '../../src/logging/logger.js';
import { ChannelDelivery } from '../../src/outbound/delivery.js';
import { OutboundRegistry } from '../../src/outbound/registry.js';
import { renderText } from '../../src/render/text.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import type { TargetFacts } from '../../src/systems/registry.js';

const logger = createLogger({ level: 'silent', pretty: false });
const minute = 60_000;
const start = Date.UTC(2026, 0, 15, 12);

interface Posted {
  platform: Platform;
  channel: string;
  message: Message;
  thread?: MessageHandle;
  handle: MessageHandle;
}

function recordingPort(platform: Platform, posted: Posted[], updated: { handle: MessageHandle; message: Message }[]): ChatPort {
  return {
    platform,
    async post(channel, message, options) {
      const handle: MessageHandle = { platform, id: `${channel}/${posted.length + 1}` };
      posted.push({ platform, channel, message, handle, ...(options?.thread ? { thread: options.thread } : {}) });
      return handle;
    },
    async replyTo(parent, message) {
      return this.post(parent.id.split('/')[0]!, message, { thread: parent });
    },
    async update(handle, message) {
      updated.push({ handle, message });
    },
  };
}

const routesConfig = [
  {
    matchers: ['team=payments'],
    channels: [{ platform: 'slack', id: 'C0PAY' }],
    escalate: [
      { after: '15m', channels: [{ platform: 'slack', id: 'C0ONCALL' }], mention: { slack: { groups: ['S0123'] } } },
      { after: '1h', channels: [{ platform: 'discord', id: '900' }, { platform: 'slack', id: 'C0LEADS' }], mention: { discord: { roles: ['123'] }, slack: { users: ['U0LEAD'] } } },
    ],
  },
  { matchers: { env: 'prod' }, channels: [{ platform: 'slack', id: 'C0PROD' }], continue: true },
  { matchers: ['system=redis'], channels: [{ platform: 'slack', id: 'C0CACHE' }] },
  { matchers: ['system=redis'], channels: [{ platform: 'slack', id: 'C0NEVER' }] },
  { matchers: ['system=tls', 'severity=crit'], escalate: [{ after: '5m', channels: [{ platform: 'slack', id: 'C0CERTS' }] }] },
];

function setup() {
  const config = configSchema.parse({ alerts: { routes: routesConfig } });
  const store = new MemoryStore();
  const posted: Posted[] = [];
  const updated: { handle: MessageHandle; message: Message }[] = [];
  const outbound = new OutboundRegistry();
  outbound.connect(recordingPort('slack', posted, updated));
  outbound.connect(recordingPort('discord', posted, updated));
  const delivery = new ChannelDelivery(outbound, logger);
  const routes = new RouteTable(config.alerts.routes);
  const escalator = new Escalator({ store, delivery, routes, logger, now: () => start });
  const targets = new Map<string, TargetFacts>([
    ['pay-db', { system: 'postgres', labels: { team: 'payments' } }],
    ['cache', { system: 'redis', labels: { env: 'prod' } }],
    ['web-db', { system: 'postgres', labels: { env: 'prod' } }],
  ]);
  let ids = 0;
  const desk = new AlertDesk({ store, delivery, policy: { holdRuns: 1, renotifyAfterMs: 4 * 3_600_000 }, logger, newAlertId: () => `a${++ids}`, targets, router: routes, escalator });
  return { desk, escalator, posted, updated };
}

function health(target: string, status: LineStatus, system = 'postgres'): Finding[] {
  return [{ checkId: `${system}.connections`, target, system, status, label: 'connections', text: `${status} figure` }];
}

const schedule = [{ platform: 'slack' as const, id: 'C0OPS' }];
const titleOf = (message: Message) => (message.kind === 'report' ? message.title : message.text);
const where = (post: Posted) => `${post.platform}:${post.channel}`;

describe('alert routes', () => {
  it('sends an alert labelled team=payments to the route’s channel instead of the schedule’s, and an unrouted one to the schedule’s', async () => {
    const { desk, posted } = setup();
    await desk.observe(health('pay-db', 'crit'), schedule, 'UTC', start);
    await desk.observe(health('other-db', 'crit'), schedule, 'UTC', start);
    expect(posted.map((post) => [where(post), titleOf(post.message)])).toEqual([
      ['slack:C0PAY', 'CRIT: pay-db (postgres) · connections'],
      ['slack:C0OPS', 'CRIT: other-db (postgres) · connections'],
    ]);
  });

  it('stops at the first matching route unless it says continue, and threads the resolved note in the routed channels', async () => {
    const { desk, posted } = setup();
    await desk.observe(health('cache', 'warn', 'redis'), schedule, 'UTC', start);
    await desk.observe(health('cache', 'ok', 'redis'), schedule, 'UTC', start + 5 * minute);
    expect(posted.map((post) => [where(post), titleOf(post.message), post.thread?.id])).toEqual([
      ['slack:C0PROD', 'WARN: cache (redis) · connections', undefined],
      ['slack:C0CACHE', 'WARN: cache (redis) · connections', undefined],
      ['slack:C0PROD', 'RESOLVED: cache (redis) · connections', 'C0PROD/1'],
      ['slack:C0CACHE', 'RESOLVED: cache (redis) · connections', 'C0CACHE/2'],
    ]);
  });

  it('keeps the schedule’s channels for a route without channels, and still escalates by it', async () => {
    const { desk, escalator, posted } = setup();
    await desk.observe(health('shop-cert', 'crit', 'tls'), schedule, 'UTC', start);
    expect(await escalator.checkDue(start + 5 * minute)).toBe(1);
    expect(posted.map((post) => [where(post), titleOf(post.message), (post.message as Report).mentions])).toEqual([
      ['slack:C0OPS', 'CRIT: shop-cert (tls) · connections', undefined],
      ['slack:C0CERTS', 'ESCALATED: shop-cert (tls) · connections', undefined],
    ]);
  });

  it('names a bad matcher, an empty channel list and a bad escalation delay at their lines', () => {
    const text = [
      'alerts:',
      '  routes:',
      '    - matchers: ["team payments"]',
      '      channels: []',
      '      escalate:',
      '        - after: soon',
      '          channels: [{ platform: slack, id: C0ONCALL }]',
      '          mention: { slack: { teams: [S0123] } }',
      '',
    ].join('\n');
    let problems: string[] = [];
    try {
      parseYamlText(text, configSchema, { displayName: 'ops.yaml' });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems.map(formatProblem);
    }
    expect(problems).toEqual([
      expect.stringMatching(/^ops\.yaml:3 alerts\.routes\[0\]\.matchers\[0\]: "team payments" is not a matcher/),
      expect.stringMatching(/^ops\.yaml:4 alerts\.routes\[0\]\.channels: name at least one channel/),
      expect.stringMatching(/^ops\.yaml:6 alerts\.routes\[0\]\.escalate\[0\]\.after: expected a duration/),
      expect.stringMatching(/^ops\.yaml:8 alerts\.routes\[0\]\.escalate\[0\]\.mention\.slack/),
    ]);
  });
});

describe('escalation of critical alerts nobody acks', () => {
  it('posts each level once when it is due, with its mention and Ack / Snooze, and nothing before', async () => {
    const { desk, escalator, posted } = setup();
    await desk.observe(health('pay-db', 'crit'), schedule, 'UTC', start);
    expect(await escalator.checkDue(start + 14 * minute)).toBe(0);
    expect(await escalator.checkDue(start + 15 * minute)).toBe(1);
    expect(await escalator.checkDue(start + 16 * minute)).toBe(0);
    const level1 = posted.at(-1)!;
    expect(where(level1)).toBe('slack:C0ONCALL');
    const message = level1.message as Report;
    expect(message).toMatchObject({
      title: 'ESCALATED: pay-db (postgres) · connections',
      status: 'crit',
      summary: 'critical and not acked within 15 min (level 1 of 2): crit figure',
      mentions: [{ kind: 'group', id: 'S0123' }],
      buttons: [
        { label: 'Ack', command: 'ack a1' },
        { label: 'Snooze 1 h', command: 'snooze a1 1h' },
      ],
    });
    expect(await escalator.checkDue(start + 60 * minute)).toBe(1);
    expect(posted.slice(-2).map((post) => [where(post), (post.message as Report).mentions])).toEqual([
      ['discord:900', [{ kind: 'group', id: '123' }]],
      ['slack:C0LEADS', [{ kind: 'user', id: 'U0LEAD' }]],
    ]);
    expect(await escalator.checkDue(start + 600 * minute)).toBe(0);
    expect(posted.filter((post) => titleOf(post.message).startsWith('ESCALATED'))).toHaveLength(3);
  });

  it('goes no further once acked, and shows the ack on the escalation post', async () => {
    const { desk, escalator, posted, updated } = setup();
    await desk.observe(health('pay-db', 'crit'), schedule, 'UTC', start);
    expect(await escalator.checkDue(start + 20 * minute)).toBe(1);
    const level1 = posted.at(-1)!;
    await desk.ack('a1', 'anna', start + 21 * minute);
    expect(await escalator.checkDue(start + 120 * minute)).toBe(0);
    expect(posted.map(where)).toEqual(['slack:C0PAY', 'slack:C0ONCALL']);
    const shown = updated.find((update) => update.handle.id === level1.handle.id)?.message as Report;
    expect(shown.summary).toMatch(/^Acked by anna/);
    expect(shown.buttons).toBeUndefined();
  });

  it('escalates only critical alerts, and stops when the alert resolves, saying so under the escalation post', async () => {
    const { desk, escalator, posted } = setup();
    await desk.observe(health('pay-db', 'warn'), schedule, 'UTC', start);
    expect(await escalator.checkDue(start + 120 * minute)).toBe(0);
    await desk.observe(health('pay-db', 'crit'), schedule, 'UTC', start + 120 * minute);
    expect(await escalator.checkDue(start + 135 * minute)).toBe(1);
    const level1 = posted.at(-1)!;
    await desk.observe(health('pay-db', 'ok'), schedule, 'UTC', start + 140 * minute);
    expect(await escalator.checkDue(start + 600 * minute)).toBe(0);
    const note = posted.at(-1)!;
    expect(note.thread).toEqual(level1.handle);
    expect(titleOf(note.message)).toBe('Resolved: pay-db (postgres) · connections is back to ok (alert a1); the escalation has ended.');
    expect(posted.filter((post) => titleOf(post.message).startsWith('ESCALATED'))).toHaveLength(1);
  });

  it('holds a snoozed alert’s escalation until the snooze ends', async () => {
    const { desk, escalator, posted } = setup();
    await desk.observe(health('pay-db', 'crit'), schedule, 'UTC', start);
    await desk.snooze('a1', 'anna', start + 90 * minute);
    expect(await escalator.checkDue(start + 60 * minute)).toBe(0);
    expect(await escalator.checkDue(start + 90 * minute)).toBe(2);
    expect(posted.filter((post) => titleOf(post.message).startsWith('ESCALATED')).map(where)).toEqual(['slack:C0ONCALL', 'discord:900', 'slack:C0LEADS']);
  });

  it('renders the mention as each platform calls people, and the terminal shows the escalation plainly', async () => {
    const { desk, escalator, posted } = setup();
    await desk.observe(health('pay-db', 'crit'), schedule, 'UTC', start);
    await escalator.checkDue(start + 60 * minute);
    const [slackLevel, discordLevel] = posted.filter((post) => titleOf(post.message).startsWith('ESCALATED'));
    const slack = renderSlackMessage(slackLevel!.message);
    expect(slack.text).toMatch(/^<!subteam\^S0123> ✖ CRIT {2}ESCALATED: pay-db/);
    expect(JSON.stringify(slack.blocks[1])).toContain('<!subteam^S0123> *CRIT* · critical and not acked within 15 min');
    const discord = renderDiscordMessage(discordLevel!.message);
    expect(discord.content).toBe('<@&123>');
    expect(discord.allowed_mentions).toEqual({ parse: [], roles: ['123'], users: [] });
    expect(discord.embeds?.[0]?.title).toBe('🚨 ESCALATED: pay-db (postgres) · connections');
    expect(renderText(discordLevel!.message)).toMatch(/^✖ CRIT {2}ESCALATED: pay-db \(postgres\) · connections\n {2}critical and not acked within 1 h \(level 2 of 2\): crit figure/);
  });
});
