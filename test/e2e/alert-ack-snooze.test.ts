import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISCORD_FIXTURE, type FakeDiscord, type FakeMessage } from '../fakes/discord/index.js';
import type { FakeSlack, StoredMessage } from '../fakes/slack/index.js';
import { waitFor } from '../support/docker.js';
import { alertFixture, startWithHealthAlerts, type BothPlatforms } from './both-platforms.js';
import { blockTexts, buttonValue } from './slack-harness.js';

const { channels, roles, users } = DISCORD_FIXTURE;
const { slackChannel, anna } = alertFixture;

let both: BothPlatforms;
let slack: FakeSlack;
let discord: FakeDiscord;

beforeAll(async () => {
  both = await startWithHealthAlerts({
    health: { timeout_ms: 1000 },
    targets: { http: [{ name: 'shop-api', url: 'http://127.0.0.1:1/health' }] },
  });
  ({ slack, discord } = both);
}, 30_000);

afterAll(async () => {
  await both?.close();
});

function slackAlert(ts: string): StoredMessage {
  const found = slack.messages(slackChannel).find((message) => message.ts === ts);
  if (!found) throw new Error(`no message ${ts} in Slack #ops`);
  return found;
}

function discordAlert(id: string): FakeMessage {
  const found = discord.messages(channels.alerts).find((message) => message.id === id);
  if (!found) throw new Error(`no message ${id} in Discord #alerts`);
  return found;
}

function discordButtons(message: FakeMessage): string[] {
  return message.components.flatMap((row) => row.components ?? []).map((button) => button.label ?? '');
}

describe('acking and snoozing an alert through the real Bolt and discord.js keeps the alert and adds who handled it', () => {
  it('a snooze on Slack and an ack on Discord update both posts in place, with the problem, its value and threshold', async () => {
    for (let run = 0; run < 2; run++) {
      await slack.sendSlashCommand({ text: 'run health-alerts', channel_id: slackChannel, ...anna });
    }
    const slackPost = await slack.waitForCall('chat.postMessage', (call) => call.body.channel === slackChannel && buttonValue(call.body.blocks, 'Ack') !== undefined, 20_000);
    const ts = slackPost.response.ts as string;
    const alertId = buttonValue(slackPost.body.blocks, 'Ack')!.split(' ')[1]!;
    const discordPost = await waitFor('the alert on Discord', async () => discord.messages(channels.alerts).find((message) => discordButtons(message).includes('Ack')));
    const problem = JSON.stringify(discordPost.embeds[1]?.fields);
    expect(problem).toContain('reachable');

    const snoozing = await slack.sendBlockAction({ ...anna, channel_id: slackChannel, message_ts: ts, value: `snooze ${alertId} 1h`, button_text: 'Snooze 1 h', action_id: 'maint-button-1' });
    const told = await slack.waitForResponse(snoozing.responseUrlId);
    expect(told).toMatchObject({ responseType: 'ephemeral', replaceOriginal: false });
    expect(told.body.text).toMatch(new RegExp(`^You snoozed alert ${alertId} \\(shop-api \\(http\\) · reachable\\) until \\d\\d:\\d\\d UTC\\.$`));
    const snoozed = await waitFor('the Slack alert to show the snooze', async () => (/Snoozed by anna/.test(blockTexts(slackAlert(ts).blocks)) ? slackAlert(ts) : undefined));
    expect(blockTexts(snoozed.blocks)).toMatch(/CRIT: shop-api \(http\) · reachable/);
    expect(blockTexts(snoozed.blocks)).toMatch(/Snoozed by anna until <!date\^\d+\^\{date_short_pretty\} \{time\}\|\d\d:\d\d UTC>\./);
    expect(blockTexts(snoozed.blocks)).toContain('*reachable*');
    expect(buttonValue(snoozed.blocks, 'Ack')).toBe(`ack ${alertId}`);
    expect(buttonValue(snoozed.blocks, 'Snooze 1 h')).toBeUndefined();
    const discordSnoozed = await waitFor('the Discord alert to show the snooze', async () => (/Snoozed by anna/.test(JSON.stringify(discordAlert(discordPost.id).embeds)) ? discordAlert(discordPost.id) : undefined));
    expect(discordSnoozed.embeds[0]?.description).toMatch(/^Snoozed by anna until <t:\d+:f>\.$/);
    expect(JSON.stringify(discordSnoozed.embeds[1]?.fields)).toBe(problem);
    expect(discordButtons(discordSnoozed)).toEqual(['Ack']);

    const acking = await discord.sendButton({ custom_id: `ack ${alertId}`, message: discordPost.id, user: users.bob, roles: [roles.sre], channel_id: channels.alerts });
    expect(await discord.waitForCallback(acking.id)).toMatchObject({ type: 6 });
    const ackAnswer = await discord.waitForRequest('POST', `/webhooks/${discord.applicationId}/${acking.token}`);
    expect(ackAnswer.body).toMatchObject({ flags: 64, content: `You acked alert ${alertId} (shop-api (http) · reachable): no more reminders; the resolved note still follows.` });
    const discordAcked = await waitFor('the Discord alert to show the ack', async () => (/Acked by bob/.test(JSON.stringify(discordAlert(discordPost.id).embeds)) ? discordAlert(discordPost.id) : undefined));
    expect(discordAcked.embeds[0]?.description).toMatch(/^Acked by bob at <t:\d+:f>: no more reminders while it lasts; a "resolved" note still follows\. Snoozed by anna until <t:\d+:f>\.$/);
    expect(JSON.stringify(discordAcked.embeds[1]?.fields)).toBe(problem);
    expect(discordButtons(discordAcked)).toEqual([]);
    const slackAcked = await waitFor('the Slack alert to show the ack', async () => (/Acked by bob/.test(blockTexts(slackAlert(ts).blocks)) ? slackAlert(ts) : undefined));
    expect(blockTexts(slackAcked.blocks)).toContain('*reachable*');
    expect(buttonValue(slackAcked.blocks, 'Ack')).toBeUndefined();
    expect(slack.calls('chat.postMessage').filter((call) => /snoozed|acked/i.test(String(call.body.text)))).toEqual([]);
    expect(slack.calls('chat.update').filter((call) => call.body.ts !== ts)).toEqual([]);
    expect(discord.messages(channels.alerts).filter((message) => (message.flags & 64) === 0).map((message) => message.id)).toEqual([discordPost.id]);
  }, 40_000);
});
