import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type RunningBot } from '../../src/bot.js';
import { configSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging/logger.js';
import { DISCORD_FIXTURE, startFakeDiscord, type FakeDiscord, type MessageFields } from '../fakes/discord/index.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack/index.js';
import { dockerClient, removeTestContainers, startTestContainer, waitFor } from '../support/docker.js';
import { TOKEN } from './discord-support.js';
import { buttonValue } from './slack-harness.js';

const { guildId, channels, roles, users } = DISCORD_FIXTURE;
const container = `maintbot-test-cross-approve-${randomBytes(4).toString('hex')}`;
const slackChannel = 'C0OPS';
const anna = { user_id: 'U0ANNA', user_name: 'anna' };

let slack: FakeSlack;
let discord: FakeDiscord;
let bot: RunningBot;
let dir: string;

beforeAll(async () => {
  await removeTestContainers(container);
  await startTestContainer({ name: container });
  dir = await mkdtemp(join(tmpdir(), 'maintbot-cross-'));
  slack = await startFakeSlack();
  discord = await startFakeDiscord({ token: TOKEN, heartbeatIntervalMs: 200 });
  const config = configSchema.parse({
    log: { level: 'silent' },
    chat: {
      console: { enabled: 'off' },
      slack: { mode: 'socket', bot_token: 'xoxb-e2e', app_token: 'xapp-e2e', api_url: slack.apiUrl },
      discord: { token: TOKEN, application_id: discord.applicationId, api_url: discord.apiBase, guilds: [guildId] },
    },
    observability: { enabled: 'off' },
    audit: { file: join(dir, 'audit.jsonl') },
    access: { grants: [{ role: 'operator', slack: { users: [anna.user_id] }, discord: { roles: [roles.sre] } }] },
    targets: { docker: [{ name: 'apps', containers: [container], allow_actions: ['restart'] }] },
  });
  const terminal = { input: new PassThrough(), output: new PassThrough(), interactive: false, colour: false };
  bot = await startBot(config, createLogger({ level: 'silent', pretty: false }), terminal);
}, 30_000);

afterAll(async () => {
  await bot?.stop();
  await slack?.close();
  await discord?.close();
  await removeTestContainers(container);
  if (dir) await rm(dir, { recursive: true, force: true });
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
    expect(outcome).toContain(`approved by bob (approval ${id})`);
    expect(buttonValue(JSON.parse(outcome).blocks, 'Approve')).toBeUndefined();
    expect(await startedAt()).not.toBe(before);

    const answer = await discord.waitForCallback(approval.id);
    expect(answer).toMatchObject({ type: 4, ephemeral: true });
    expect((answer.data as MessageFields).content).toBe('Done; the command had nothing to show.');
    expect(discord.messages().every((message) => (message.flags & 64) !== 0)).toBe(true);
    expect(discord.requests().filter((request) => request.method === 'PATCH')).toEqual([]);
    const approved = (await bot.app.audit.latest(100)).filter((event) => event.approvalId === id && event.outcome === 'approved');
    expect(approved).toEqual([expect.objectContaining({ platform: 'discord', actor: expect.objectContaining({ name: 'bob' }) })]);
  }, 40_000);
});
