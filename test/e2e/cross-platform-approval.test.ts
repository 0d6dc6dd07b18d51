import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/bot.js';
import { DISCORD_FIXTURE, type FakeDiscord, type MessageFields } from '../fakes/discord/index.js';
import type { FakeSlack } from '../fakes/slack/index.js';
import { dockerClient, removeTestContainers, startTestContainer, waitFor } from '../support/docker.js';
import { startOnBothPlatforms, type BothPlatforms } from './both-platforms.js';
import { buttonValue } from './slack-harness.js';

const { channels, roles, users } = DISCORD_FIXTURE;
const container = `maintbot-test-cross-approve-${randomBytes(4).toString('hex')}`;
const slackChannel = 'C0OPS';
const anna = { user_id: 'U0ANNA', user_name: 'anna' };

let both: BothPlatforms;
let slack: FakeSlack;
let discord: FakeDiscord;
let bot: RunningBot;

beforeAll(async () => {
  await removeTestContainers(container);
  await startTestContainer({ name: container });
  both = await startOnBothPlatforms({
    access: { grants: [{ role: 'operator', slack: { users: [anna.user_id] }, discord: { roles: [roles.sre] } }] },
    targets: { docker: [{ name: 'apps', containers: [container], allow_actions: ['restart'] }] },
  });
  ({ slack, discord, bot } = both);
}, 30_000);

afterAll(async () => {
  await both?.close();
  await removeTestContainers(container);
});

async function startedAt(): Promise<string> {
  return (await dockerClient().getContainer(container).inspect()).State.StartedAt;
}

function slackCard(ts: string): string {
  return JSON.stringify(slack.messages(slackChannel).find((message) => message.ts === ts) ?? {});
}

describe('one bot on Slack and Discord, through the real Bolt and discord.js against the fakes', () => {
  it('updates a Slack approval card on Slack when the request is approved with /maint approve typed in Discord', async () => {
    const before = await startedAt();
    await slack.sendSlashCommand({ text: `restart ${container}`, channel_id: slackChannel, ...anna });
    const post = await slack.waitForCall('chat.postMessage', (call) => call.body.channel === slackChannel);
    const ts = post.response.ts as string;
    const card = await slack.waitForCall('chat.update', (call) => call.body.ts === ts && buttonValue(call.body.blocks, 'Approve') !== undefined, 15_000);
    const id = buttonValue(card.body.blocks, 'Approve')!.split(' ')[1]!;
    expect(slackCard(ts)).toContain('Approval needed: restart');

    const approval = await discord.sendChatCommand({ subcommand: 'approve', options: { id }, user: users.bob, channel_id: channels.ops });

    const outcome = await waitFor('the Slack card to show the restart', async () => (/restarted/.test(slackCard(ts)) ? slackCard(ts) : undefined), 20_000);
    expect(outcome).toMatch(/\*approved by\*\\nbob at <!date\^\d+\^/);
    expect(outcome).toContain(`approval ${id}`);
    expect(buttonValue(JSON.parse(outcome).blocks, 'Approve')).toBeUndefined();
    expect(await startedAt()).not.toBe(before);

    const answer = await discord.waitForCallback(approval.id);
    expect(answer).toMatchObject({ ephemeral: true });
    const answered = answer.type === 4 ? (answer.data as MessageFields) : ((await discord.waitForOriginalEdit(approval.token)).body as MessageFields);
    expect(answered.content).toBe('Done; the command had nothing to show.');
    expect(discord.messages().every((message) => (message.flags & 64) !== 0)).toBe(true);
    expect(discord.requests().filter((request) => request.method === 'PATCH' && !request.path.endsWith('/messages/@original'))).toEqual([]);
    const approved = (await bot.app.audit.latest(100)).filter((event) => event.approvalId === id && event.outcome === 'approved');
    expect(approved).toEqual([expect.objectContaining({ platform: 'discord', actor: expect.objectContaining({ name: 'bob' }) })]);
  }, 40_000);
});
