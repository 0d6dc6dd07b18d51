import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { shippedDefinitions, type App } from '../../src/app.js';
import { checkHealth } from '../../src/checks/runner.js';
import type { Report } from '../../src/core/report.js';
import type { SlackBlock } from '../../src/chat/slack/blocks.js';
import { discordLimits } from '../../src/chat/discord/message-body.js';
import { DISCORD_FIXTURE, type RecordedRequest } from '../fakes/discord/index.js';
import type { RecordedCall } from '../fakes/slack/index.js';
import { expectWithinDiscordLimits, expectWithinSlackLimits, type SentDiscordMessage } from '../support/chat-limits.js';
import { startBot, type RunningBot } from './discord-support.js';
import { command, CommandLog, expectEmptyAck, privateAnswer, startSlackHarness, type SlackHarness } from './slack-harness.js';

const critical = Array.from({ length: 12 }, (_, i) => `down-${i + 1}`);
const healthy = (count: number): string[] => Array.from({ length: count }, (_, i) => `up-${i + 1}`);

/** One local HTTP server: every path under /down answers 500 (a crit status line), every other path 200. */
function useEndpoints(): () => string {
  let server: Server | undefined;
  beforeAll(async () => {
    server = createServer((request, response) => response.writeHead(request.url?.startsWith('/down') ? 500 : 200).end('ok'));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });
  return () => `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

/** http targets: the 12 critical ones and `okCount` healthy ones, latency thresholds far beyond any local answer. */
function httpTargets(base: string, okCount: number): Record<string, unknown> {
  const target = (name: string, path: string) => ({ name, url: `${base}${path}`, thresholds: { latency_warn_ms: 600_000, latency_crit_ms: 900_000 } });
  return { http: [...critical.map((name) => target(name, `/down/${name}`)), ...healthy(okCount).map((name) => target(name, `/${name}`))] };
}

const endpoints = useEndpoints();

/** The verbose report of every configured target, as a schedule posts it. */
async function scheduledReport(app: App): Promise<Report> {
  return (await checkHealth(app.systems.probes(), { timeoutMs: 10_000, verbose: true })).report;
}

describe('a 40-target health report with 12 critical targets, on Slack through the real Bolt', () => {
  let harness: SlackHarness;
  const okTargets = healthy(26);

  beforeAll(async () => {
    harness = await startSlackHarness('socket', { targets: httpTargets(endpoints(), okTargets.length) });
  });
  afterAll(async () => {
    await harness.close();
  });
  beforeEach(() => harness.reset());

  /** Every message the bot sent for a command: its ack, posts, updates and private answers, each checked against Slack's limits. */
  function sentMessages(ack: unknown): Array<{ text?: unknown; blocks?: unknown }> {
    const { fake } = harness;
    const sent = [ack, ...fake.calls('chat.postMessage').map((call) => call.body), ...fake.calls('chat.update').map((call) => call.body), ...fake.responses().map((post) => post.body)];
    const messages = sent.filter((body): body is { text?: unknown; blocks?: unknown } => typeof body === 'object' && body !== null && 'text' in body);
    messages.forEach(expectWithinSlackLimits);
    return messages;
  }

  const isReport = (call: RecordedCall): boolean => (call.body.blocks as SlackBlock[] | undefined)?.[0]?.type === 'header';

  async function health(text: string): Promise<{ first: RecordedCall; replies: RecordedCall[]; ack: unknown }> {
    const { fake, commands } = harness;
    const delivered = await fake.sendSlashCommand({ text, channel_id: 'C0OPS', user_id: 'U0ALICE', user_name: 'alice' });
    const progress = await fake.waitForCall('chat.postMessage');
    const first = await fake.waitForCall('chat.update', (call) => call.body.ts === progress.response.ts && isReport(call));
    await commands.waitForFinished(command(text, 'U0ALICE'));
    const replies = fake.calls('chat.postMessage').filter((call) => call.body.thread_ts !== undefined);
    return { first, replies, ack: delivered.ack.payload };
  }

  it('names all 12 critical targets in the first message, packs the healthy ones, and suggests --verbose', async () => {
    const { first, replies, ack } = await health('health');
    sentMessages(ack);
    const shown = JSON.stringify(first.body.blocks);
    for (const name of critical) expect(shown).toContain(`*${name} (http)*`);
    for (const name of okTargets) expect(shown).toContain(`${name} (http)`);
    expect(shown).toMatch(/\d+ targets ok: /);
    expect(shown).toContain('--verbose shows their');
    for (const reply of replies) expect(reply.body.thread_ts).toBe(first.body.ts);
  });

  it('--verbose shows every line across the first message and its thread, and suggests no --verbose', async () => {
    const { first, replies, ack } = await health('health --verbose');
    const messages = sentMessages(ack);
    expect(replies.length).toBeGreaterThan(0);
    for (const reply of replies) expect(reply.body.thread_ts).toBe(first.body.ts);
    const report = [first, ...replies].flatMap((call) => call.body.blocks as Array<SlackBlock & { text?: { text: string }; fields?: unknown[] }>);
    for (const name of [...critical, ...okTargets]) {
      const section = report.find((block) => block.type === 'section' && block.text?.text.endsWith(`*${name} (http)*`));
      expect(section?.fields, name).toHaveLength(2);
    }
    const firstText = JSON.stringify(first.body.blocks);
    for (const name of critical) expect(firstText).toContain(`*${name} (http)*`);
    expect(firstText).toContain(`continued in ${replies.length} more message`);
    expect(JSON.stringify(messages)).not.toContain('--verbose');
  });

  it('goes on in the thread of its channel message when posted as a schedule posts it', async () => {
    const { fake, app } = harness;
    const handle = await app.outbound.post('slack', 'C0OPS', await scheduledReport(app));
    const [first, ...replies] = fake.calls('chat.postMessage');
    expect(first!.body.thread_ts).toBeUndefined();
    expect(handle.id).toBe(`C0OPS/${first!.response.ts}`);
    expect(replies.length).toBeGreaterThan(0);
    for (const reply of replies) expect(reply.body).toMatchObject({ channel: 'C0OPS', thread_ts: first!.response.ts });
    sentMessages(undefined);
    const shown = JSON.stringify([first!, ...replies].map((call) => call.body.blocks));
    for (const name of [...critical, ...okTargets]) expect(shown).toContain(`*${name} (http)*`);
  });

  it('fits /maint help and /maint help <command> for every command in one private message each', async () => {
    const { fake, commands } = harness;
    const overview = await fake.sendSlashCommand({ text: 'help', user_id: 'U0ALICE' });
    await commands.waitForFinished(command('help'));
    expectEmptyAck(overview);
    expect(fake.responses(overview.responseUrlId)).toHaveLength(1);
    const payload = (await privateAnswer(fake, overview)) as { text: string; blocks: unknown[] };
    expectWithinSlackLimits(payload);
    expect(payload.text.length).toBeLessThan(discordLimits.content / 2);
    expect(payload.text).toMatch(/^\s*Containers\s+logs, restart\*, service-down\*, start\*, stop\*$/m);
    for (const name of harness.app.commands.all().map((spec) => spec.name)) {
      const detail = await fake.sendSlashCommand({ text: `help ${name}` });
      await commands.waitForFinished(command(`help ${name}`));
      expect(fake.responses(detail.responseUrlId)).toHaveLength(1);
      const answer = (await privateAnswer(fake, detail)) as { text: string };
      expectWithinSlackLimits(answer);
      expect(answer.text).toContain(`/maint ${name}`);
    }
    expect(fake.calls('chat.postMessage')).toEqual([]);
  });
});

describe('a 40-target health report with 12 critical targets, on Discord through the real discord.js', () => {
  let bot: RunningBot;
  const commands = new CommandLog();
  const okTargets = healthy(28);

  beforeAll(async () => {
    const shippedCommands = (await readdir(shippedDefinitions.commands)).filter((file) => file !== 'health.yaml' && file !== 'help.yaml');
    bot = await startBot({
      shippedCommands,
      targets: httpTargets(endpoints(), okTargets.length),
      handler: { handle: (invocation, responder) => commands.wrap(bot.app.router).handle(invocation, responder) },
    });
  });
  afterAll(async () => {
    await bot.close();
  });

  /** The bodies of every message the bot created or edited for one interaction, each checked against Discord's limits. */
  function sentFor(token: string, interactionId: string): { edits: SentDiscordMessage[]; followUps: SentDiscordMessage[] } {
    const requests = bot.fake.requests();
    const body = (request: RecordedRequest) => request.body as SentDiscordMessage;
    const edits = requests.filter((r) => r.method === 'PATCH' && r.path.startsWith(`/webhooks/${bot.fake.applicationId}/${token}/messages/`)).map(body);
    const followUps = requests.filter((r) => r.method === 'POST' && r.path === `/webhooks/${bot.fake.applicationId}/${token}`).map(body);
    const callbacks = requests.filter((r) => r.method === 'POST' && r.path.startsWith(`/interactions/${interactionId}/`)).map((r) => ((r.body as { data?: SentDiscordMessage }).data ?? {}));
    [...edits, ...followUps, ...callbacks].forEach(expectWithinDiscordLimits);
    return { edits, followUps };
  }

  async function health(verbose: boolean): Promise<{ first: SentDiscordMessage; followUps: SentDiscordMessage[]; all: SentDiscordMessage[] }> {
    commands.clear();
    const sent = await bot.fake.sendChatCommand({ subcommand: 'health', ...(verbose ? { options: { verbose: true } } : {}) });
    await commands.waitForFinished(command(verbose ? 'health --verbose' : 'health'));
    const { edits, followUps } = sentFor(sent.token, sent.id);
    const first = bot.fake.originalMessage(sent.token) as SentDiscordMessage;
    return { first, followUps, all: [...edits, ...followUps] };
  }

  it('names all 12 critical targets in the first message, packs the 28 healthy ones, and suggests --verbose', async () => {
    const { first } = await health(false);
    const shown = JSON.stringify(first.embeds);
    for (const name of critical) expect(shown).toContain(`${name} (http)`);
    const packed = first.embeds?.find((embed) => embed.title === '✅ 28 targets ok');
    for (const name of okTargets) expect(packed?.description).toContain(`${name} (http)`);
    expect(packed?.description).toContain('--verbose shows their 56 ok lines');
  });

  it('--verbose shows every line across the first message and its follow-ups, and suggests no --verbose', async () => {
    const { first, followUps, all } = await health(true);
    expect(followUps.length).toBeGreaterThan(0);
    const firstText = JSON.stringify(first.embeds);
    for (const name of critical) expect(firstText).toContain(`${name} (http)`);
    expect(first.embeds?.at(-1)?.footer?.text).toContain(`continued in ${followUps.length} more message`);
    const embeds = [first, ...followUps].flatMap((body) => body.embeds ?? []);
    for (const name of [...critical, ...okTargets]) {
      const section = embeds.find((embed) => embed.title?.endsWith(` ${name} (http)`));
      expect(section?.fields?.map((field) => field.name.slice(2)), name).toEqual(expect.arrayContaining(['status', 'latency']));
    }
    expect(embeds.flatMap((embed) => embed.fields ?? [])).toHaveLength(80);
    expect(JSON.stringify(all)).not.toContain('--verbose');
  });

  it('goes on in the thread of its channel message when posted as a schedule posts it', async () => {
    const channel = DISCORD_FIXTURE.channels.alerts;
    const handle = await bot.app.outbound.post('discord', channel, await scheduledReport(bot.app));
    const messageId = handle.id.split('/')[1]!;
    expect(handle.id).toBe(`${channel}/${messageId}`);
    const threads = bot.fake.requests().filter((r) => r.method === 'POST' && r.path === `/channels/${channel}/messages/${messageId}/threads`);
    expect(threads).toHaveLength(1);
    const posts = bot.fake.requests().filter((r) => r.method === 'POST' && /^\/channels\/\d+\/messages$/.test(r.path));
    posts.forEach((r) => expectWithinDiscordLimits(r.body as SentDiscordMessage));
    const followUps = bot.fake.messages(messageId);
    expect(followUps.length).toBeGreaterThan(0);
    const shown = JSON.stringify([bot.fake.messages(channel).find((message) => message.id === messageId), ...followUps].map((message) => message?.embeds));
    for (const name of [...critical, ...okTargets]) expect(shown).toContain(` ${name} (http)`);
  });

  it('fits /maint help and /maint help <command> for every command in one private message each', async () => {
    const overview = await bot.fake.sendChatCommand({ subcommand: 'help' });
    const reply = await bot.fake.waitForCallback(overview.id);
    expect(reply).toMatchObject({ type: 4, ephemeral: true });
    expectWithinDiscordLimits(reply.data as SentDiscordMessage);
    expect(reply.data.content?.length).toBeLessThan(discordLimits.content / 2);
    expect(reply.data.content).toMatch(/^\s*Containers\s+logs, restart\*, service-down\*, start\*, stop\*$/m);
    for (const name of bot.app.commands.all().map((spec) => spec.name)) {
      const detail = await bot.fake.sendChatCommand({ subcommand: 'help', options: { command: name } });
      const answer = await bot.fake.waitForCallback(detail.id);
      expectWithinDiscordLimits(answer.data as SentDiscordMessage);
      expect(JSON.stringify(answer.data)).toContain(`/maint ${name}`);
    }
  });
});
