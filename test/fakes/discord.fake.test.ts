import { once } from 'node:events';
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  Client,
  EmbedBuilder,
  Events,
  GatewayIntentBits,
  MessageFlags,
  SlashCommandBuilder,
  type Interaction,
  type TextChannel,
} from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DISCORD_FIXTURE, startFakeDiscord, type FakeDiscord } from './discord/index.js';

const TOKEN = 'MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake.not-a-secret';
const { guildId, channels, roles, users } = DISCORD_FIXTURE;

let fake: FakeDiscord;
let client: Client;
let readyAfterMs: number;

async function startClient(): Promise<void> {
  client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiBase } });
  const started = performance.now();
  const ready = once(client, Events.ClientReady);
  await client.login(TOKEN);
  await ready;
  readyAfterMs = performance.now() - started;
}

/** Runs `handler` for the next interaction and resolves once it has finished (or rejects with its error). */
function handleNextInteraction(handler: (interaction: Interaction) => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    client.once(Events.InteractionCreate, (interaction) => handler(interaction).then(resolve, reject));
  });
}

function approvalButtons(): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    new ButtonBuilder().setCustomId('maint approve 42').setLabel('Approve').setStyle(ButtonStyle.Success),
    new ButtonBuilder().setCustomId('maint reject 42').setLabel('Reject').setStyle(ButtonStyle.Danger),
  );
}

async function postApprovalCard(): Promise<string> {
  const channel = client.channels.cache.get(channels.ops) as TextChannel;
  const card = await channel.send({ content: 'Restart api?', components: [approvalButtons()] });
  return card.id;
}

beforeEach(async () => {
  fake = await startFakeDiscord({ token: TOKEN, heartbeatIntervalMs: 200 });
  await startClient();
});

afterEach(async () => {
  await client.destroy();
  await fake.close();
});

describe('fake Discord driven by the real discord.js client', () => {
  it('brings the client to ready quickly with the fixture guild, roles and members cached', async () => {
    expect(readyAfterMs).toBeLessThan(3000);
    const identify = await fake.waitForIdentify();
    expect(identify.d).toMatchObject({ token: TOKEN, intents: GatewayIntentBits.Guilds });
    const guild = client.guilds.cache.get(guildId);
    expect(guild?.roles.cache.get(roles.sre)?.name).toBe('sre');
    expect(guild?.members.cache.get(users.alice)?.roles.cache.has(roles.lead)).toBe(true);
    expect(client.user?.id).toBe(fake.applicationId);
    expect(client.application?.id).toBe(fake.applicationId);
    expect(fake.requests()[0]).toMatchObject({ method: 'GET', path: '/gateway/bot', authorization: `Bot ${TOKEN}` });
  });

  it('acknowledges heartbeats so the client measures a ping', async () => {
    expect(client.ws.ping).toBe(-1);
    await expect.poll(() => client.ws.ping, { timeout: 2000, interval: 20 }).toBeGreaterThanOrEqual(0);
    expect(fake.gatewayFrames().some((frame) => frame.op === 1)).toBe(true);
  });

  it('records guild command registration with subcommands and option types', async () => {
    const maint = new SlashCommandBuilder()
      .setName('maint')
      .setDescription('Maintenance')
      .addSubcommand((sub) => sub.setName('health').setDescription('Health report'))
      .addSubcommand((sub) =>
        sub
          .setName('vacuum')
          .setDescription('Vacuum a table')
          .addStringOption((o) => o.setName('table').setDescription('Table').setRequired(true).setAutocomplete(true))
          .addBooleanOption((o) => o.setName('full').setDescription('VACUUM FULL')),
      );

    const registered = await client.application!.commands.set([maint.toJSON()], guildId);

    const request = await fake.waitForRequest('PUT', `/applications/${fake.applicationId}/guilds/${guildId}/commands`);
    expect(request.body).toMatchObject([
      {
        name: 'maint',
        options: [
          { type: 1, name: 'health' },
          { type: 1, name: 'vacuum', options: [{ type: 3, name: 'table', autocomplete: true }, { type: 5, name: 'full' }] },
        ],
      },
    ]);
    expect(fake.registeredCommands(guildId).map((c) => c.name)).toEqual(['maint']);
    expect(registered.first()?.id).toBe(fake.registeredCommands(guildId)[0]?.id);
  });

  it('delivers a chat command with subcommand, options and member roles; defer then edit both arrive', async () => {
    let seen: { subcommand: string; table: string | null; full: boolean | null; roles: string[] } | undefined;
    const handled = handleNextInteraction(async (interaction) => {
      if (!interaction.isChatInputCommand() || !interaction.inCachedGuild()) throw new Error('expected a guild command');
      seen = {
        subcommand: interaction.options.getSubcommand(),
        table: interaction.options.getString('table'),
        full: interaction.options.getBoolean('full'),
        roles: [...interaction.member.roles.cache.keys()],
      };
      await interaction.deferReply();
      await interaction.editReply({
        embeds: [new EmbedBuilder().setTitle('Vacuum orders').setColor(0x2ecc71).addFields({ name: 'status', value: 'ok' })],
        components: [approvalButtons()],
      });
    });

    const sent = await fake.sendChatCommand({
      subcommand: 'vacuum',
      options: { table: 'orders', full: true },
      user: users.bob,
      channel_id: channels.ops,
    });

    const deferred = await fake.waitForCallback(sent.id);
    expect(deferred).toMatchObject({ type: 5, ephemeral: false });
    const edit = await fake.waitForOriginalEdit(sent.token, (body) => body.embeds?.[0]?.title === 'Vacuum orders');
    expect(edit.body).toMatchObject({
      embeds: [{ title: 'Vacuum orders', color: 0x2ecc71, fields: [{ name: 'status', value: 'ok' }] }],
      components: [{ type: 1, components: [{ custom_id: 'maint approve 42' }, { custom_id: 'maint reject 42' }] }],
    });
    await handled;
    expect(seen).toEqual({ subcommand: 'vacuum', table: 'orders', full: true, roles: expect.arrayContaining([roles.sre, guildId]) });
    expect(fake.originalMessage(sent.token)).toMatchObject({ channel_id: channels.ops, embeds: [{ title: 'Vacuum orders' }] });
  });

  it('answers a button clicked with update() by editing the card it sits on', async () => {
    const cardId = await postApprovalCard();
    let clicker: string | undefined;
    const handled = handleNextInteraction(async (interaction) => {
      if (!interaction.isButton()) throw new Error('expected a button');
      clicker = `${interaction.user.id} ${interaction.customId} ${interaction.message.id}`;
      await interaction.update({ content: 'Approved by alice', components: [] });
    });

    const click = await fake.sendButton({ custom_id: 'maint approve 42', user: users.alice });

    expect(await fake.waitForCallback(click.id)).toMatchObject({ type: 7, data: { content: 'Approved by alice', components: [] } });
    await handled;
    expect(clicker).toBe(`${users.alice} maint approve 42 ${cardId}`);
    expect(fake.messages(channels.ops).find((m) => m.id === cardId)).toMatchObject({ content: 'Approved by alice', components: [] });
  });

  it('records deferUpdate() as type 6 and the later editReply() as an edit of the clicked card', async () => {
    const cardId = await postApprovalCard();
    const handled = handleNextInteraction(async (interaction) => {
      if (!interaction.isButton()) throw new Error('expected a button');
      await interaction.deferUpdate();
      await interaction.editReply({ content: 'Rejected', components: [] });
    });

    const click = await fake.sendButton({ custom_id: 'maint reject 42', message: cardId, user: users.carol });

    expect(await fake.waitForCallback(click.id)).toMatchObject({ type: 6 });
    await fake.waitForOriginalEdit(click.token, (body) => body.content === 'Rejected');
    await handled;
    expect(fake.originalMessage(click.token)).toMatchObject({ id: cardId, content: 'Rejected' });
  });

  it('marks an ephemeral reply with flags 64', async () => {
    const handled = handleNextInteraction(async (interaction) => {
      if (!interaction.isChatInputCommand()) throw new Error('expected a command');
      await interaction.reply({ content: 'You may not run restart.', flags: MessageFlags.Ephemeral });
    });

    const sent = await fake.sendChatCommand({ subcommand: 'restart', options: { service: 'api' }, user: users.mallory });

    const reply = await fake.waitForCallback(sent.id);
    expect(reply).toMatchObject({ type: 4, ephemeral: true, data: { content: 'You may not run restart.' } });
    expect(reply.data.flags).toBe(64);
    await handled;
  });

  it('lets the first follow-up of a still "thinking…" deferral resolve it with its visibility, as Discord does; later ones stand alone', async () => {
    const handled = handleNextInteraction(async (interaction) => {
      if (!interaction.isChatInputCommand()) throw new Error('expected a command');
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      await interaction.followUp({ content: 'meant for everyone' });
      await interaction.followUp({ content: 'for everyone indeed' });
    });

    const sent = await fake.sendChatCommand({ subcommand: 'health' });
    await handled;

    expect(fake.originalMessage(sent.token)).toMatchObject({ content: 'meant for everyone', flags: 64 });
    expect(fake.messages().map((message) => [message.content, message.flags])).toEqual([
      ['meant for everyone', 64],
      ['for everyone indeed', 0],
    ]);
  });

  it('returns autocomplete choices as callback type 8', async () => {
    let focused: string | undefined;
    const handled = handleNextInteraction(async (interaction) => {
      if (!interaction.isAutocomplete()) throw new Error('expected autocomplete');
      focused = interaction.options.getFocused();
      await interaction.respond([{ name: 'api', value: 'api' }]);
    });

    const sent = await fake.sendAutocomplete({ subcommand: 'restart', focused: 'service', value: 'ap' });

    expect(await fake.waitForCallback(sent.id)).toMatchObject({ type: 8, data: { choices: [{ name: 'api', value: 'api' }] } });
    await handled;
    expect(focused).toBe('ap');
  });

  it('records the payload_json and files of a multipart reply, and threads started from a message', async () => {
    const handled = handleNextInteraction(async (interaction) => {
      if (!interaction.isChatInputCommand()) throw new Error('expected a command');
      await interaction.reply({ content: 'Full report attached', files: [{ attachment: Buffer.from('ok\n'), name: 'report.txt' }] });
      const reply = await interaction.fetchReply();
      await reply.startThread({ name: 'restart api' });
    });

    const sent = await fake.sendChatCommand({ subcommand: 'health' });

    const callback = await fake.waitForCallback(sent.id);
    expect(callback).toMatchObject({ type: 4, data: { content: 'Full report attached' } });
    expect(callback.request.files).toMatchObject([{ filename: 'report.txt', size: 3 }]);
    const thread = await fake.waitForRequest('POST', /^\/channels\/\d+\/messages\/\d+\/threads$/);
    expect(thread.body).toMatchObject({ name: 'restart api' });
    await handled;
  });

  it('refuses a second callback for one interaction, as Discord does', async () => {
    const sent = await fake.sendChatCommand({ subcommand: 'health' });
    const url = `${fake.apiBase}/v10/interactions/${sent.id}/${sent.token}/callback`;
    const post = () =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 5 }) });

    const [first, second] = [await post(), await post()];

    expect(first.status).toBe(204);
    expect(second.status).toBe(400);
    expect(await second.json()).toMatchObject({ code: 40060 });
    expect(fake.callbacks().filter((c) => c.interactionId === sent.id)).toHaveLength(1);
  });

  it('resumes after the gateway drops and answers the next command, and replays what was missed', async () => {
    client.on(Events.InteractionCreate, (interaction) => {
      if (interaction.isChatInputCommand()) void interaction.deferReply();
    });
    const resumed = once(client, Events.ShardResume);

    await fake.dropGateway();
    const missed = await fake.sendChatCommand({ subcommand: 'health' });
    const resume = await fake.waitForResume();
    await resumed;

    expect(resume.d).toMatchObject({ token: TOKEN, seq: expect.any(Number) });
    expect(await fake.waitForCallback(missed.id)).toMatchObject({ type: 5 });
    const next = await fake.sendChatCommand({ subcommand: 'health', user: users.carol });
    expect(await fake.waitForCallback(next.id)).toMatchObject({ type: 5 });
    expect(fake.gatewayFrames().filter((frame) => frame.op === 2)).toHaveLength(1);
  });

  it('names what did arrive when a wait times out', async () => {
    await expect(fake.waitForRequest('POST', '/channels/1/messages', undefined, 50)).rejects.toThrow(
      /Timed out after 50 ms waiting for POST \/channels\/1\/messages[\s\S]*GET \/gateway\/bot -> 200/,
    );
  });
});
