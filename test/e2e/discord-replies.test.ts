import { afterEach, describe, expect, it } from 'vitest';
import { accessFor } from '../../src/access/roles.js';
import { startDiscordChat } from '../../src/chat/discord/discord-chat.js';
import { discordChat } from '../../src/chat/discord/index.js';
import { CommandCatalog } from '../../src/router/catalog.js';
import { configSchema } from '../../src/config/schema.js';
import { notice, type Report } from '../../src/core/report.js';
import { createLogger } from '../../src/logging/logger.js';
import { DISCORD_FIXTURE, startFakeDiscord, type FakeDiscord, type MessageFields } from '../fakes/discord/index.js';
import { startBot, TOKEN, type RunningBot } from './discord-support.js';

const { channels } = DISCORD_FIXTURE;
let bot: RunningBot | undefined;
let fake: FakeDiscord | undefined;

afterEach(async () => {
  await bot?.close();
  await fake?.close();
  bot = undefined;
  fake = undefined;
});

const report: Report = { kind: 'report', title: 'Disk', status: 'warn', summary: '1 of 1 target needs attention', sections: [] };

/** A latch the test opens; a handler waiting on it is still running when the bot defers. */
function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe('Discord acknowledgements, follow-ups and the chat port', () => {
  it('defers a slow command privately after about a second; its public answer resolves that reply, follows up in public, and removes it', async () => {
    const answer = gate();
    bot = await startBot({ fallbackDeferMs: 1000, handler: { handle: async (_invocation, responder) => responder.reply(await answer.opened.then(() => report)) } });
    const sentAt = Date.now();
    const sent = await bot.fake.sendChatCommand({ subcommand: 'health' });

    const deferred = await bot.fake.waitForCallback(sent.id);
    expect(deferred).toMatchObject({ type: 5, ephemeral: true });
    expect(deferred.request.at - sentAt).toBeGreaterThanOrEqual(900);
    answer.open();
    const webhook = `/webhooks/${bot.fake.applicationId}/${sent.token}`;
    const followUp = await bot.fake.waitForRequest('POST', webhook);
    await bot.fake.waitForRequest('DELETE', `${webhook}/messages/@original`);
    const resolved = bot.fake.requests().find((r) => r.method === 'PATCH' && r.path === `${webhook}/messages/@original`);
    expect(resolved!.at).toBeLessThanOrEqual(followUp.at);
    expect((followUp.body as MessageFields).flags ?? 0).toBe(0);
    expect(bot.fake.messages().map((message) => [message.embeds[0]?.title, message.flags & 64])).toEqual([['⚠️ Disk', 0]]);
  });

  it('answers privately by editing its private "thinking…" reply when the answer after a fallback defer is private', async () => {
    const answer = gate();
    bot = await startBot({ fallbackDeferMs: 1000, handler: { handle: async (_invocation, responder) => responder.replyPrivately(await answer.opened.then(() => notice('error', 'Only for you.'))) } });
    const sent = await bot.fake.sendChatCommand({ subcommand: 'health' });

    expect(await bot.fake.waitForCallback(sent.id)).toMatchObject({ type: 5, ephemeral: true });
    answer.open();
    await bot.fake.waitForOriginalEdit(sent.token, (body) => body.content === '❌ Only for you.');
    expect(bot.fake.originalMessage(sent.token)).toMatchObject({ content: '❌ Only for you.', flags: 64 });
    expect(bot.fake.messages().filter((message) => !(message.flags & 64))).toEqual([]);
  });

  it('updates progress in place and sends a later private note as an ephemeral follow-up', async () => {
    bot = await startBot({
      handler: {
        handle: async (_invocation, responder) => {
          const handle = await responder.reply(notice('progress', 'step 1 of 2'));
          await responder.update(handle, notice('progress', 'step 2 of 2'));
          await responder.update(handle, report);
          await responder.replyPrivately(notice('info', 'psst'));
        },
      },
    });
    const sent = await bot.fake.sendChatCommand({ subcommand: 'health' });
    await bot.fake.waitForRequest('POST', `/webhooks/${bot.fake.applicationId}/${sent.token}`);
    const edits = bot.fake.requests().filter((r) => r.method === 'PATCH' && r.path.endsWith('/messages/@original')).map((r) => r.body as MessageFields);
    expect(edits.map((body) => body.content || body.embeds?.[0]?.title)).toEqual(['⏳ step 1 of 2', '⏳ step 2 of 2', '⚠️ Disk']);
    expect(bot.fake.callbacks().map((callback) => callback.type)).toEqual([5]);
    expect(bot.fake.messages().map((message) => [message.content, message.flags & 64])).toEqual([['', 0], ['psst', 64]]);
  });

  it('posts through the port into a channel and a thread created once, and updates a posted message by its handle', async () => {
    bot = await startBot();
    const parent = await bot.chat.port.post(channels.alerts, report);
    const first = await bot.chat.port.post(channels.alerts, notice('info', 'disk at 91 %'), { thread: parent });
    const second = await bot.chat.port.post(channels.alerts, notice('info', 'disk back to 70 %'), { thread: parent });
    const parentId = parent.id.split('/')[1]!;

    expect(bot.fake.requests().filter((r) => r.method === 'POST' && r.path.endsWith('/threads'))).toHaveLength(1);
    expect(first.id.split('/')[0]).toBe(parentId);
    expect(second.id.split('/')[0]).toBe(parentId);
    expect(bot.fake.messages(parentId).map((message) => message.content)).toEqual(['disk at 91 %', 'disk back to 70 %']);

    await bot.chat.port.update(parent, { ...report, status: 'ok', title: 'Disk recovered' });
    expect(bot.fake.messages(channels.alerts)[0]?.embeds[0]).toMatchObject({ title: '✅ Disk recovered', color: 0x2ecc71 });
  });

  it('refuses to start with a clear message for a missing token or application id, an unregistrable catalog and a wrong token', async () => {
    fake = await startFakeDiscord({ token: TOKEN });
    const help = { name: 'help', summary: 'List the commands', args: [], flags: [], roles: ['viewer'], builtin: 'help' as const, examples: [] };
    const base = { handler: { handle: async () => undefined }, commands: new CommandCatalog([help]), completions: () => undefined, access: accessFor(discordChat, configSchema.parse({}).access), logger: createLogger({ level: 'silent', pretty: false }) };
    const settings = configSchema.parse({ chat: { discord: { api_url: fake.apiBase, guilds: [DISCORD_FIXTURE.guildId] } } }).chat.discord;
    const complete = { ...settings, token: TOKEN, application_id: fake.applicationId };

    await expect(startDiscordChat({ ...base, settings })).rejects.toThrow('Discord is enabled but has no bot token: set DISCORD_TOKEN (or chat.discord.token).');
    await expect(startDiscordChat({ ...base, settings: { ...settings, token: TOKEN } })).rejects.toThrow(/no application id: set DISCORD_APPLICATION_ID/);
    const tooMany = new CommandCatalog(Array.from({ length: 26 }, (_, i) => ({ ...help, name: `command-${i}` })));
    await expect(startDiscordChat({ ...base, commands: tooMany, settings: complete })).rejects.toThrow(
      "commands/ cannot be registered as Discord's /maint: 26 commands, but Discord allows at most 25 subcommands under /maint",
    );
    const wrong = await startDiscordChat({ ...base, settings: { ...complete, token: 'not.the.token' } }).catch((error: unknown) => error as Error);
    expect(wrong).toMatchObject({ name: 'DiscordStartError', message: expect.stringMatching(/^could not log in to Discord: An invalid token was provided\./) });
    expect(fake.requests().filter((r) => r.method === 'PUT')).toEqual([]);
  });
});
