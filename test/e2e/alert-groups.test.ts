import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISCORD_FIXTURE, type FakeDiscord, type FakeMessage } from '../fakes/discord/index.js';
import type { FakeSlack, StoredMessage } from '../fakes/slack/index.js';
import { eventually } from '../support/services.js';
import { alertFixture, startWithHealthAlerts, type BothPlatforms } from './both-platforms.js';
import { blockTexts, buttonValue } from './slack-harness.js';

const { channels, roles, users } = DISCORD_FIXTURE;
const { slackChannel, anna } = alertFixture;
const names = Array.from({ length: 30 }, (_, index) => `web-${String(index + 1).padStart(2, '0')}`);

let both: BothPlatforms;
let slack: FakeSlack;
let discord: FakeDiscord;
let server: Server;
let answer = 503;

beforeAll(async () => {
  server = createServer((_request, response) => {
    response.writeHead(answer, { 'content-type': 'text/plain' });
    response.end(answer === 200 ? 'ok' : 'down');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  both = await startWithHealthAlerts({
    health: { timeout_ms: 5000 },
    rate_limits: { enabled: false },
    targets: { http: names.map((name) => ({ name, url: `http://127.0.0.1:${port}/${name}` })) },
  });
  ({ slack, discord } = both);
}, 30_000);

afterAll(async () => {
  await both?.close();
  await new Promise((resolve) => server?.close(resolve));
});

/** Runs the health-alerts schedule from Slack and waits for its "ran" reply, posted after every alert of the run. */
async function runAlerts(): Promise<void> {
  const after = slack.calls().at(-1)?.seq ?? 0;
  await slack.sendSlashCommand({ text: 'run health-alerts', channel_id: slackChannel, ...anna });
  await slack.waitForCall('chat.postMessage', (call) => call.seq > after && /^Schedule health-alerts ran/.test(String(call.body.text)), 30_000);
}

const isRunReply = (message: StoredMessage) => /^Schedule health-alerts ran/.test(message.text ?? '');
const slackTopLevel = () => slack.messages(slackChannel).filter((message) => message.threadTs === undefined && !isRunReply(message));
const slackThread = (ts: string) => slack.messages(slackChannel).filter((message) => message.threadTs === ts);
const discordTopLevel = () => discord.messages(channels.alerts).filter((message) => (message.flags & 64) === 0);
const discordButtons = (message: FakeMessage) => message.components.flatMap((row) => row.components ?? []);
const alertsIn = (blocks: unknown) => (blockTexts(blocks).match(/"value":"ack [0-9a-f]+"/g) ?? []).length;

describe('a storm of 30 failing targets through the real Bolt and discord.js', () => {
  it('is one message per channel with its overflow in the thread; an ack updates its line; the recovery is resolved notes in that thread', async () => {
    await runAlerts();
    await runAlerts();

    const [slackRoot, ...slackOthers] = slackTopLevel();
    expect(slackOthers).toEqual([]);
    expect(slackRoot!.text).toMatch(/CRIT: 30 alerts on 30 targets/);
    const slackFollowUps = slackThread(slackRoot!.ts);
    expect(slackFollowUps.length).toBeGreaterThan(0);
    for (const message of [slackRoot!, ...slackFollowUps]) expect((message.blocks ?? []).length).toBeLessThanOrEqual(50);
    expect([slackRoot!, ...slackFollowUps].reduce((sum, message) => sum + alertsIn(message.blocks), 0)).toBe(30);
    for (const name of names) expect(blockTexts([slackRoot!, ...slackFollowUps].map((message) => message.blocks))).toContain(`*${name} (http)*`);

    const [discordRoot, ...discordOthers] = discordTopLevel();
    expect(discordOthers).toEqual([]);
    expect(discordRoot!.embeds[0]?.title).toBe('🚨 CRIT: 30 alerts on 30 targets');
    const discordFollowUps = discord.messages(discordRoot!.id);
    expect(discordFollowUps.length).toBeGreaterThan(0);
    const discordPages = [discordRoot!, ...discordFollowUps];
    for (const message of discordPages) {
      expect(message.embeds.length).toBeLessThanOrEqual(10);
      expect(message.components.length).toBeLessThanOrEqual(5);
    }
    expect(discordPages.flatMap(discordButtons).filter((button) => button.label?.startsWith('Ack: '))).toHaveLength(30);

    const label = 'Ack: web-03 (http) · status';
    const alertId = buttonValue(slackRoot!.blocks, label)!.split(' ')[1]!;
    const discordPageId = discordPages.find((message) => discordButtons(message).some((button) => button.label === label))!.id;
    const acking = await slack.sendBlockAction({ ...anna, channel_id: slackChannel, message_ts: slackRoot!.ts, value: `ack ${alertId}`, button_text: label, action_id: 'maint-button-0' });
    expect((await slack.waitForResponse(acking.responseUrlId)).body.text).toBe(`You acked alert ${alertId} (web-03 (http) · status): no more reminders; the resolved note still follows.`);
    const acked = await eventually('the Slack group message to show the ack', () => {
      const now = slack.messages(slackChannel).find((message) => message.ts === slackRoot!.ts)!;
      return /Acked by anna/.test(blockTexts(now.blocks)) && now;
    });
    expect(buttonValue(acked.blocks, label)).toBeUndefined();
    expect(buttonValue(acked.blocks, 'Ack: web-04 (http) · status')).toBeDefined();
    expect(alertsIn(acked.blocks)).toBe(alertsIn(slackRoot!.blocks) - 1);
    expect(blockTexts(acked.blocks)).toMatch(/Acked by anna at .*alert [0-9a-f]+/);
        const discordAcked = await eventually('the Discord group message to show the ack', () => {
      const now = [...discordTopLevel(), ...discord.messages(discordRoot!.id)].find((message) => message.id === discordPageId)!;
      return /Acked by anna/.test(JSON.stringify(now.embeds)) && now;
    });
    expect(discordButtons(discordAcked).map((button) => button.label)).not.toContain(label);
    expect(discordButtons(discordAcked).map((button) => button.label)).toContain('Ack: web-04 (http) · status');

    const snoozeLabel = 'Snooze 1 h: web-07 (http) · status';
    const snoozeId = discordButtons(discordRoot!).find((button) => button.label === snoozeLabel)!.custom_id!;
    const snoozing = await discord.sendButton({ custom_id: snoozeId, message: discordRoot!.id, user: users.bob, roles: [roles.sre], channel_id: channels.alerts });
    expect(await discord.waitForCallback(snoozing.id)).toMatchObject({ type: 6 });
    await eventually('the Slack group message to show the snooze', () => {
      const now = slack.messages(slackChannel).find((message) => message.ts === slackRoot!.ts)!;
      return /Snoozed by bob until/.test(blockTexts(now.blocks)) && /Acked by anna/.test(blockTexts(now.blocks));
    });

    answer = 200;
    await runAlerts();
    await runAlerts();
    expect(slackTopLevel().map((message) => message.ts)).toEqual([slackRoot!.ts]);
    const resolved = slackThread(slackRoot!.ts).filter((message) => /RESOLVED/.test(message.text ?? ''));
    expect(resolved.length).toBeGreaterThan(0);
    expect(resolved[0]!.text).toMatch(/RESOLVED: 30 alerts/);
    expect(resolved.reduce((sum, message) => sum + (blockTexts(message.blocks).match(/was crit · alert/g) ?? []).length, 0)).toBe(30);
    expect(discordTopLevel().map((message) => message.id)).toEqual([discordRoot!.id]);
    const discordResolved = discord.messages(discordRoot!.id).filter((message) => /RESOLVED/.test(JSON.stringify(message.embeds)));
    expect(discordResolved[0]?.embeds[0]?.title).toBe('✅ RESOLVED: 30 alerts');
  }, 120_000);
});
