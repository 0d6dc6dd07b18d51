import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessFor } from '../../src/access/roles.js';
import { startBot as startWholeBot } from '../../src/bot.js';
import { startDiscordChat } from '../../src/chat/discord/discord-chat.js';
import { discordChat } from '../../src/chat/discord/index.js';
import { discordSettingsSchema } from '../../src/chat/discord/settings.js';
import { configSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging/logger.js';
import { DISCORD_FIXTURE, type MessageFields } from '../fakes/discord/index.js';
import { command } from '../support/command-log.js';
import { freePort } from '../support/services.js';
import { startBot, TOKEN, type RunningBot } from './discord-support.js';

const { guildId, channels, users } = DISCORD_FIXTURE;

let bot: RunningBot;
let url: string;

beforeAll(async () => {
  bot = await startBot({ mode: 'http', targets: { http: [{ name: 'web-down', url: 'http://127.0.0.1:9/' }] } });
  url = bot.interactionsUrl!;
}, 30_000);

afterAll(async () => {
  await bot?.close();
});

function shown(body: MessageFields | undefined): string {
  return JSON.stringify({ content: body?.content, embeds: body?.embeds });
}

describe('Discord over HTTP interactions: the real bot, discord.js REST, the fake Discord posting signed requests', () => {
  it('registers /maint over REST and opens no gateway session', () => {
    expect(bot.fake.registeredCommands(guildId).map((registered) => registered.name)).toEqual(['maint']);
    expect(bot.fake.gatewayFrames()).toEqual([]);
    expect(bot.fake.requests().some((request) => request.path.startsWith('/gateway'))).toBe(false);
    expect(bot.chat.connected()).toBe(true);
  });

  it('answers the PING Discord sends when the Interactions Endpoint URL is saved with a PONG', async () => {
    expect(await bot.fake.ping(url)).toMatchObject({ status: 200, body: { type: 1 } });
  });

  it('refuses requests that are unsigned, signed with another key, tampered with or stale with 401, and runs none of them', async () => {
    bot.commands.clear();
    const payload = bot.fake.chatCommandPayload({ subcommand: 'health', user: users.alice });
    const refused = [
      await bot.fake.postSigned(url, payload, { signature: 'none' }),
      await bot.fake.postSigned(url, payload, { signature: 'other-key' }),
      await bot.fake.postSigned(url, payload, { signature: 'tampered' }),
      await bot.fake.postSigned(url, payload, { timestamp: Math.floor(Date.now() / 1000) - 3600 }),
      await bot.fake.ping(url, { signature: 'other-key' }),
    ];
    expect(refused.map((answer) => answer.status)).toEqual([401, 401, 401, 401, 401]);
    expect(refused[0]!.body).toEqual({ message: 'invalid request signature' });

    const good = await bot.fake.sendChatCommand({ subcommand: 'help', user: users.carol });
    expect(await bot.fake.waitForCallback(good.id)).toMatchObject({ type: 4, ephemeral: true, via: 'http-response' });
    await bot.commands.waitForFinished(command('help', users.carol));
    expect(bot.commands.begun().map((invocation) => invocation.text)).toEqual(['help']);
    expect(bot.fake.requests().filter((request) => request.path.includes(String(payload.token)))).toEqual([]);
  });

  it('/maint health: the HTTP answer defers, then the original response is edited into the report over the webhook', async () => {
    const sent = await bot.fake.sendChatCommand({ subcommand: 'health', options: { target: 'web-down' }, user: users.bob, channel_id: channels.ops });
    expect(await bot.fake.waitForCallback(sent.id)).toMatchObject({ type: 5, ephemeral: false, via: 'http-response' });
    const edit = await bot.fake.waitForOriginalEdit(sent.token, (body) => /Health: web-down/.test(shown(body)), 15_000);
    expect(edit.authorization).toBeNull();
    expect(shown(bot.fake.originalMessage(sent.token))).toContain('web-down');
    const invocation = await bot.commands.waitForFinished(command('health web-down', users.bob));
    expect(invocation).toMatchObject({ platform: 'discord', actor: { id: users.bob, name: 'bob' }, channel: { id: channels.ops, name: 'ops' }, origin: 'typed' });
  });

  it('answers a private refusal in the HTTP answer itself, seen only by the one who asked', async () => {
    const sent = await bot.fake.sendChatCommand({ subcommand: 'health', options: { target: 'web-dwon' }, user: users.carol });
    const callback = await bot.fake.waitForCallback(sent.id);
    expect(callback).toMatchObject({ type: 4, ephemeral: true, via: 'http-response' });
    expect(callback.data.content).toMatch(/web-dwon.*web-down/s);
  });

  it('runs the command a clicked button carries and turns the card into its answer', async () => {
    const card = await bot.chat.port.post(channels.ops, { kind: 'notice', tone: 'info', text: 'Check again?', buttons: [{ label: 'Re-check', command: 'health web-down', style: 'primary' }] });
    const click = await bot.fake.sendButton({ custom_id: 'health web-down', user: users.bob });
    expect(await bot.fake.waitForCallback(click.id)).toMatchObject({ type: 6, via: 'http-response' });
    await bot.fake.waitForOriginalEdit(click.token, (body) => (body.embeds?.length ?? 0) > 0, 15_000);
    const updated = bot.fake.messages(channels.ops).find((message) => message.id === card.id.split('/')[1]);
    expect(shown(updated)).toContain('Health: web-down');
    expect(updated?.components).toEqual([]);
    const invocation = await bot.commands.waitForFinished((finished) => finished.origin === 'button');
    expect(invocation).toMatchObject({ text: 'health web-down', actor: { id: users.bob }, sourceMessage: { platform: 'discord', id: card.id } });
  });

  it('offers completions in the HTTP answer', async () => {
    const typing = await bot.fake.sendAutocomplete({ subcommand: 'health', focused: 'target', value: 'web' });
    expect(await bot.fake.waitForCallback(typing.id)).toMatchObject({ type: 8, via: 'http-response', data: { choices: [{ name: 'web-down', value: 'web-down' }] } });
  });

  it('posts outside interactions (schedules, alerts, cards) over REST with the bot token', async () => {
    const posted = await bot.chat.port.post(channels.alerts, { kind: 'notice', tone: 'error', text: 'disk almost full' });
    const request = await bot.fake.waitForRequest('POST', `/channels/${channels.alerts}/messages`);
    expect(request.authorization).toBe(`Bot ${TOKEN}`);
    expect(bot.fake.messages(channels.alerts).map((message) => message.id)).toEqual([posted.id.split('/')[1]]);
    expect(bot.fake.gatewayFrames()).toEqual([]);
  });

  it('refuses to start in HTTP mode without the public key, or with one that is not a key, saying where to find it', async () => {
    const common = { handler: bot.app.router, commands: bot.app.commands, completions: bot.app.completions, access: accessFor(discordChat, configSchema.parse({}).access), logger: createLogger({ level: 'silent', pretty: false }) };
    const settings = discordSettingsSchema.parse({ mode: 'http', token: TOKEN, application_id: bot.fake.applicationId, api_url: bot.fake.apiBase, port: 0 });
    await expect(startDiscordChat({ ...common, settings })).rejects.toThrow(/HTTP mode needs the application's public key: set DISCORD_PUBLIC_KEY .*General Information → Public Key/);
    await expect(startDiscordChat({ ...common, settings: { ...settings, public_key: 'ab'.repeat(31) } })).rejects.toThrow(/DISCORD_PUBLIC_KEY is not the application's public key: expected 64 hex characters/);
  });
});

describe('Discord HTTP mode started as npm start starts it', () => {
  it('listens on chat.discord.port, answers a PING there and counts Discord as ready on /readyz', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'maintbot-discord-http-'));
    const port = await freePort();
    const config = configSchema.parse({
      log: { level: 'silent' },
      chat: { console: { enabled: 'off' }, discord: { mode: 'http', token: TOKEN, application_id: bot.fake.applicationId, api_url: bot.fake.apiBase, guilds: [guildId], public_key: bot.fake.publicKey, port } },
      observability: { enabled: 'on', host: '127.0.0.1', port: 0 },
      audit: { file: join(dir, 'audit.jsonl') },
    });
    const terminal = { input: new PassThrough(), output: new PassThrough(), interactive: false, colour: false };
    const whole = await startWholeBot(config, createLogger({ level: 'silent', pretty: false }), terminal);
    try {
      expect(await bot.fake.ping(`http://127.0.0.1:${port}/discord/interactions`)).toMatchObject({ status: 200, body: { type: 1 } });
      const ready = await fetch(`http://127.0.0.1:${whole.observability!.port}/readyz`);
      expect({ status: ready.status, body: await ready.json() }).toEqual({ status: 200, body: { status: 'ready' } });
    } finally {
      await whole.stop();
      await rm(dir, { recursive: true, force: true });
    }
    await expect(fetch(`http://127.0.0.1:${port}/discord/interactions`, { method: 'POST' })).rejects.toThrow();
  });
});
