import { readdir } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { shippedDefinitions } from '../../src/app.js';
import { buildMaintCommand } from '../../src/chat/discord/registration.js';
import { notice } from '../../src/core/report.js';
import { DISCORD_FIXTURE, type EmbedJson, type MessageFields } from '../fakes/discord/index.js';
import { startBot, useOwnServices, type BotOptions, type RunningBot } from './discord-support.js';

const { guildId, channels, roles, users } = DISCORD_FIXTURE;
const services = useOwnServices();
let bot: RunningBot | undefined;

/** The bot with local-postgres and local-redis on this file's own, idle servers, so every check is ok. */
const start = (options: BotOptions = {}): Promise<RunningBot> => startBot({ ...options, services: services() });

afterEach(async () => {
  await bot?.close();
  bot = undefined;
});

const titles = (body: MessageFields): string[] => (body.embeds ?? []).map((embed) => embed.title ?? '');
const fieldValues = (embeds: readonly EmbedJson[]): string => embeds.flatMap((embed) => embed.fields ?? []).map((field) => `${field.name}: ${field.value}`).join('\n');

describe('/maint on Discord through the real discord.js against the fake Discord', () => {
  it('registers /maint in the guild with one subcommand per command file and typed options', async () => {
    bot = await start();
    const [maint] = bot.fake.registeredCommands(guildId);
    expect(maint).toMatchObject({ name: 'maint', type: 1 });
    expect(maint).toMatchObject(JSON.parse(JSON.stringify(buildMaintCommand(bot.app.commands.all(), (kind) => kind === 'commands' || bot!.app.completions(kind) !== undefined))));
    expect(maint?.options).toMatchObject([
      {
        type: 1,
        name: 'health',
        options: [
          { type: 3, name: 'target', autocomplete: true, required: false },
          { type: 5, name: 'verbose' },
          { type: 5, name: 'dry-run' },
        ],
      },
      { type: 1, name: 'help', options: [{ type: 3, name: 'command', autocomplete: true }] },
    ]);
    expect(bot.chat.connected()).toBe(true);
  });

  it('puts a whole group under /maint <group> when there are more commands than Discord takes, and runs a command given through its group', async () => {
    const shipped = (await readdir(shippedDefinitions.commands)).filter((name) => name.endsWith('.yaml') && name !== 'health.yaml' && name !== 'help.yaml');
    bot = await start({ shippedCommands: shipped });
    expect(bot.app.commands.all().length).toBeGreaterThan(25);
    const [maint] = bot.fake.registeredCommands(guildId);
    const entries = (maint?.options ?? []) as Array<{ type: number; name: string; options: Array<{ name: string }> }>;
    expect(entries.length).toBeLessThanOrEqual(25);
    const groups = entries.filter((entry) => entry.type === 2);
    expect(groups.length).toBeGreaterThan(0);
    const [group] = groups;
    const inside = group!.options.map((entry) => entry.name);
    expect(bot.app.commands.all().filter((spec) => spec.group === group!.name).map((spec) => spec.name)).toEqual(inside);
    expect(entries.filter((entry) => entry.type === 1).map((entry) => entry.name)).not.toContain(inside[0]);

    const sent = await bot.fake.sendChatCommand({ group: group!.name, subcommand: inside[0]!, user: users.bob, channel_id: channels.ops, options: { help: true } });
    await bot.fake.waitForCallback(sent.id);
    expect(bot.invocations.at(-1)).toMatchObject({ platform: 'discord', text: `${inside[0]} --help` });
  });

  it('/maint health --verbose: defers, shows progress, then edits the original reply into the report of its own PostgreSQL and Redis', async () => {
    bot = await start();
    const sent = await bot.fake.sendChatCommand({ subcommand: 'health', options: { verbose: true }, user: users.bob, channel_id: channels.ops });

    expect(await bot.fake.waitForCallback(sent.id)).toMatchObject({ type: 5, ephemeral: false });
    const report = await bot.fake.waitForOriginalEdit(sent.token, (body) => (body.embeds?.length ?? 0) > 0, 15_000);
    const body = report.body as MessageFields;
    const [header, ...sections] = titles(body);
    expect(header).toBe('✅ Health');
    expect(sections.sort()).toEqual(['✅ local-postgres (postgres)', '✅ local-redis (redis)']);
    expect(body.embeds?.[0]?.color).toBe(0x2ecc71);
    expect(fieldValues(body.embeds ?? [])).toMatch(/PostgreSQL \d+\.\d+/);
    expect(fieldValues(body.embeds ?? [])).toMatch(/Redis \d+\.\d+\.\d+/);
    expect(body.embeds?.at(-1)?.footer?.text).toMatch(/^asked by bob · /);
    const edits = bot.fake.requests().filter((r) => r.method === 'PATCH' && r.path.endsWith(`${sent.token}/messages/@original`));
    expect((edits[0]?.body as MessageFields).content).toMatch(/^⏳ health: step 1 of 1/);
    expect(bot.fake.originalMessage(sent.token)).toMatchObject({ channel_id: channels.ops, flags: 0, content: '' });
    expect(bot.invocations[0]).toMatchObject({ platform: 'discord', text: 'health --verbose', origin: 'typed', actor: { id: users.bob, name: 'bob', roles: ['viewer'] }, channel: { id: channels.ops, name: 'ops' } });
  });

  it('answers a misspelt command and an unknown option ephemerally, with nothing public', async () => {
    bot = await start();
    const typo = await bot.fake.sendChatCommand({ subcommand: 'helth', user: users.carol });
    const typoReply = await bot.fake.waitForCallback(typo.id);
    expect(typoReply).toMatchObject({ type: 4, ephemeral: true });
    expect(typoReply.data.content).toBe("❌ Unknown command 'helth'. Did you mean 'health'? Try /maint help.");

    const wrong = await bot.fake.sendChatCommand({ subcommand: 'health', options: { colour: 'red' }, user: users.carol });
    const wrongReply = await bot.fake.waitForCallback(wrong.id);
    expect(wrongReply).toMatchObject({ type: 4, ephemeral: true });
    expect(wrongReply.data.content).toContain("Wrong arguments for 'health': unknown option --colour");
    expect(bot.fake.messages().every((message) => message.flags & 64)).toBe(true);
  });

  it('runs a button whose custom_id is "help" from a card posted through the port, with origin button and the card as sourceMessage', async () => {
    bot = await start();
    const card = await bot.chat.port.post(channels.alerts, { ...notice('info', 'Need a hand?'), buttons: [{ label: 'Help', command: 'help' }] });
    const cardId = card.id.split('/')[1]!;
    expect(bot.fake.messages(channels.alerts)[0]).toMatchObject({ id: cardId, components: [{ type: 1, components: [{ custom_id: 'help', label: 'Help', style: 2 }] }] });

    const click = await bot.fake.sendButton({ custom_id: 'help', user: users.alice });

    expect(await bot.fake.waitForCallback(click.id)).toMatchObject({ type: 6 });
    const followUp = await bot.fake.waitForRequest('POST', `/webhooks/${bot.fake.applicationId}/${click.token}`);
    expect(followUp.body).toMatchObject({ flags: 64 });
    expect((followUp.body as MessageFields).content).toContain('maintbot commands.');
    expect(bot.invocations[0]).toMatchObject({
      text: 'help',
      origin: 'button',
      sourceMessage: { platform: 'discord', id: `${channels.alerts}/${cardId}` },
      actor: { id: users.alice, roles: ['viewer'] },
    });
    expect(bot.fake.messages(channels.alerts).find((message) => message.id === cardId)?.content).toBe('Need a hand?');
  });

  it('turns the clicked card itself into the report when a button runs a public command', async () => {
    bot = await start();
    const card = await bot.chat.port.post(channels.ops, { ...notice('info', 'Check again?'), buttons: [{ label: 'Re-check', command: 'health local-redis', style: 'primary' }] });
    const click = await bot.fake.sendButton({ custom_id: 'health local-redis', user: users.bob });

    expect(await bot.fake.waitForCallback(click.id)).toMatchObject({ type: 6 });
    await bot.fake.waitForOriginalEdit(click.token, (body) => (body.embeds?.length ?? 0) > 0, 15_000);
    const updated = bot.fake.messages(channels.ops).find((message) => message.id === card.id.split('/')[1]);
    expect(updated).toMatchObject({ content: '', components: [], embeds: [{ title: '✅ Health: local-redis' }, { title: '✅ 1 target ok', description: expect.stringMatching(/^local-redis \(redis\)\n/) }] });
  });

  it('offers target names that start with what the user typed', async () => {
    bot = await start();
    const typing = await bot.fake.sendAutocomplete({ subcommand: 'health', focused: 'target', value: 'local-p' });
    expect(await bot.fake.waitForCallback(typing.id)).toMatchObject({ type: 8, data: { choices: [{ name: 'local-postgres', value: 'local-postgres' }] } });
    const command = await bot.fake.sendAutocomplete({ subcommand: 'help', focused: 'command', value: '' });
    expect(await bot.fake.waitForCallback(command.id)).toMatchObject({ type: 8, data: { choices: [{ value: 'health' }, { value: 'help' }] } });
  });

  it('resumes after the gateway drops and answers the next command', async () => {
    bot = await start();
    await bot.fake.dropGateway();
    await bot.fake.waitForResume();
    await expect.poll(() => bot!.chat.connected(), { timeout: 20_000, interval: 20 }).toBe(true);

    const next = await bot.fake.sendChatCommand({ subcommand: 'help', user: users.carol });
    expect(await bot.fake.waitForCallback(next.id)).toMatchObject({ type: 4, ephemeral: true });
    expect(bot.fake.gatewayFrames().filter((frame) => frame.op === 2)).toHaveLength(1);
  });

  it('maps the sre role id to operator: bob (sre) may run an operator command, carol (dev) is refused privately', async () => {
    bot = await start({
      extraCommands: { 'deep-health.yaml': ['name: deep-health', 'summary: Health report for operators', 'roles: [operator]', 'runbook: health'].join('\n') },
      grants: [{ role: 'operator', discord: { roles: [roles.sre] } }],
    });

    const denied = await bot.fake.sendChatCommand({ subcommand: 'deep-health', user: users.carol });
    const denial = await bot.fake.waitForCallback(denied.id);
    expect(denial).toMatchObject({ type: 4, ephemeral: true });
    expect(denial.data.content).toBe("❌ 'deep-health' needs the role operator; you have viewer. An admin can grant it under access.grants in the config.");

    const allowed = await bot.fake.sendChatCommand({ subcommand: 'deep-health', user: users.bob });
    expect(await bot.fake.waitForCallback(allowed.id)).toMatchObject({ type: 5, ephemeral: false });
    const report = await bot.fake.waitForOriginalEdit(allowed.token, (body) => (body.embeds?.length ?? 0) > 0, 15_000);
    expect((report.body as MessageFields).embeds?.[0]?.title).toBe('✅ Health');
    expect(bot.invocations.map((invocation) => invocation.actor.roles)).toEqual([['viewer'], ['viewer', 'operator']]);
  });
});
