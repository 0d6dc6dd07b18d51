import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISCORD_FIXTURE, type FakeMessage, type FakeUser, type MessageFields, type RecordedRequest } from '../fakes/discord/index.js';
import { removeTestContainers, startTestContainer, waitFor } from '../support/docker.js';
import { startBot, type RunningBot } from './discord-support.js';

const { channels, roles, users } = DISCORD_FIXTURE;
const container = `maintbot-test-discord-requests-${randomBytes(4).toString('hex')}`;
const ephemeral = 64;
const discordTime = /<t:\d+:f>/;

let bot: RunningBot;

beforeAll(async () => {
  await removeTestContainers(container);
  await startTestContainer({ name: container });
  bot = await startBot({
    shippedCommands: ['restart.yaml', 'approve.yaml', 'reject.yaml', 'approvals.yaml', 'cancel.yaml'],
    targets: { docker: [{ name: 'apps', containers: [container], allow_actions: ['restart'] }] },
    grants: [
      { role: 'operator', discord: { roles: [roles.sre] } },
      { role: 'admin', discord: { roles: [roles.lead] } },
    ],
    approvals: { notify: { discord: { roles: [roles.sre], users: [users.carol] } } },
  });
}, 30_000);

afterAll(async () => {
  await bot?.close();
  await removeTestContainers(container);
});

function shown(message: MessageFields | undefined): string {
  return JSON.stringify({ content: message?.content, embeds: message?.embeds });
}

function card(id: string): FakeMessage {
  const found = bot.fake.messages(channels.ops).find((message) => message.id === id);
  if (!found) throw new Error(`no message ${id} in #ops`);
  return found;
}

function buttons(message: MessageFields | undefined): string[] {
  return (message?.components ?? []).flatMap((row) => row.components ?? []).map((button) => button.custom_id ?? '');
}

/** `user` asks for a restart; resolves with the card (the original reply, edited), its request id and the reply that calls the approvers. */
async function restartCard(user: string): Promise<{ message: string; id: string; ping: RecordedRequest }> {
  const sent = await bot.fake.sendChatCommand({ subcommand: 'restart', options: { container }, user, channel_id: channels.ops });
  const edit = await bot.fake.waitForOriginalEdit(sent.token, (body) => buttons(body).some((id) => id.startsWith('approve ')), 15_000);
  const original = bot.fake.originalMessage(sent.token);
  if (!original) throw new Error('no approval card');
  const ping = await bot.fake.waitForRequest('POST', `/channels/${channels.ops}/messages`, (request) => (request.body as { message_reference?: { message_id?: string } }).message_reference?.message_id === original.id);
  return { message: original.id, id: buttons(edit.body as MessageFields).find((id) => id.startsWith('approve '))!.split(' ')[1]!, ping };
}

/** Types `/maint <subcommand>` as `user`; resolves with its private answer (an ephemeral reply, or an ephemeral follow-up after a deferral). */
async function type(user: string | FakeUser, subcommand: string, options: Record<string, string> = {}): Promise<string> {
  const sent = await bot.fake.sendChatCommand({ subcommand, options, user, channel_id: channels.ops });
  const callback = await bot.fake.waitForCallback(sent.id);
  if (callback.type === 4) {
    expect(callback.ephemeral).toBe(true);
    return callback.data.content ?? '';
  }
  const followUp = await bot.fake.waitForRequest('POST', `/webhooks/${bot.fake.applicationId}/${sent.token}`);
  expect((followUp.body as MessageFields).flags).toBe(ephemeral);
  return (followUp.body as MessageFields).content ?? '';
}

function publicMessages(): string[] {
  return bot.fake.messages(channels.ops).filter((message) => (message.flags & ephemeral) === 0).map((message) => message.id);
}

describe('pending approval requests through the real discord.js against the fake Discord', () => {
  it('calls the role and the users of approvals.notify in a new reply to each card, so they are pinged, and shows times in the reader’s zone', async () => {
    const asked = await restartCard(users.bob);
    expect(asked.ping.body).toMatchObject({
      content: expect.stringMatching(new RegExp(`^<@&${roles.sre}> <@${users.carol}> bob asks for your approval: restart, restart container ${container}.*expires at ${discordTime.source}\\.$`)),
      allowed_mentions: { parse: [], roles: [roles.sre], users: [users.carol] },
    });
    const fields = card(asked.message).embeds.flatMap((embed) => embed.fields ?? []);
    expect(fields.find((field) => field.name.endsWith('expires'))?.value).toMatch(new RegExp(`^${discordTime.source} \\(in 15 min\\)$`));
    await type(users.bob, 'cancel', { id: asked.id });
  }, 30_000);

  it('lists the pending requests with their plan, requester, approvals so far and expiry', async () => {
    const asked = await restartCard(users.bob);
    const listed = await type(users.carol, 'approvals');
    expect(listed).toContain('1 approval request is pending');
    expect(listed).toMatch(new RegExp(`• ${asked.id} · restart: restart container ${container}.* · asked by bob · 0 of 1 approval · expires ${discordTime.source} \\(in 1[45] min\\)`));
    await type(users.bob, 'cancel', { id: asked.id });
    expect(await type(users.carol, 'approvals')).toBe('No approval requests are pending.');
  }, 30_000);

  it('refuses a cancel by someone else privately, lets the requester or an admin withdraw a request', async () => {
    const asked = await restartCard(users.bob);
    const pending = structuredClone(card(asked.message));
    const posted = publicMessages();

    expect(await type(users.carol, 'cancel', { id: asked.id })).toBe(`❌ Only bob, who asked, or an admin may cancel request ${asked.id}.`);
    expect(card(asked.message)).toEqual(pending);
    expect(await type(users.bob, 'cancel', { id: asked.id })).toMatch(new RegExp(`^Cancelled request ${asked.id} \\(restart: .*\\)\\. Nothing was run\\.$`));
    const closed = await waitFor('the card to say who cancelled', async () => (/Cancelled by bob/.test(shown(card(asked.message))) ? card(asked.message) : undefined));
    expect(closed.embeds[0]).toMatchObject({ title: '🚫 Cancelled: restart', color: 0x546e7a, description: expect.stringMatching(new RegExp(`^Cancelled by bob at ${discordTime.source}\\. Nothing was run\\.$`)) });
    expect(buttons(closed)).toEqual([]);
    expect(publicMessages()).toEqual(posted);

    const again = await restartCard(users.bob);
    expect(again.id).not.toBe(asked.id);
    expect(await type(users.alice, 'cancel', { id: again.id })).toMatch(/^Cancelled request/);
    expect(shown(card(again.message))).toMatch(new RegExp(`Cancelled by alice at ${discordTime.source}`));
  }, 30_000);
});
