import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/store/redis-store.js';
import { DISCORD_FIXTURE, type FakeMessage, type FakeUser, type MessageFields, type SentInteraction } from '../fakes/discord/index.js';
import { dockerClient, removeTestContainers, startTestContainer, waitFor } from '../support/docker.js';
import { command } from '../support/command-log.js';
import { eventually, startOwnRedis, type OwnRedis } from '../support/services.js';
import { approveOutcomes } from '../support/outcomes.js';
import { startBot, type RunningBot } from './discord-support.js';

const { channels, roles, users } = DISCORD_FIXTURE;
const suffix = randomBytes(4).toString('hex');
const container = `maintbot-test-discord-approve-${suffix}`;
const ephemeral = 64;
/** Members outside the fixture who hold the sre role, so 20 different people can click at once. */
const otherSres: FakeUser[] = Array.from({ length: 12 }, (_, index) => ({ id: `16000000000000000${String(index).padStart(2, '0')}`, username: `approver-${index}` }));

let bot: RunningBot;
let redis: OwnRedis;

beforeAll(async () => {
  await removeTestContainers(container);
  await startTestContainer({ name: container });
  redis = await startOwnRedis();
  const store = await RedisStore.connect(redis.url, { prefix: 'maintbot-test-discord-approvals:' });
  bot = await startBot({
    store,
    shippedCommands: ['restart.yaml', 'approve.yaml', 'reject.yaml'],
    targets: { docker: [{ name: 'apps', containers: [container], allow_actions: ['restart'] }] },
    grants: [{ role: 'operator', discord: { roles: [roles.sre] } }],
  });
}, 30_000);

afterAll(async () => {
  await bot?.close();
  await removeTestContainers(container);
  await redis?.stop();
});

async function startedAt(): Promise<string> {
  return (await dockerClient().getContainer(container).inspect()).State.StartedAt;
}

function shown(message: MessageFields | undefined): string {
  return JSON.stringify({ content: message?.content, embeds: message?.embeds });
}

function customIds(message: MessageFields | undefined): Record<string, string> {
  const buttons = (message?.components ?? []).flatMap((row) => row.components ?? []);
  return Object.fromEntries(buttons.map((button) => [button.label ?? '', button.custom_id ?? '']));
}

function card(id: string): FakeMessage {
  const found = bot.fake.messages(channels.ops).find((message) => message.id === id);
  if (!found) throw new Error(`no message ${id} in #ops`);
  return found;
}

/** Alice asks for a restart; resolves with the card (the original reply, edited) and its buttons. */
async function restartCard(): Promise<{ id: string; approve: string; reject: string }> {
  const sent = await bot.fake.sendChatCommand({ subcommand: 'restart', options: { container }, user: users.alice, channel_id: channels.ops });
  expect(await bot.fake.waitForCallback(sent.id)).toMatchObject({ type: 5, ephemeral: false });
  const edit = await bot.fake.waitForOriginalEdit(sent.token, (body) => customIds(body).Approve !== undefined, 15_000);
  const { Approve: approve, Reject: reject } = customIds(edit.body as MessageFields);
  const original = bot.fake.originalMessage(sent.token);
  if (!original || !approve || !reject) throw new Error('the approval card has no buttons');
  return { id: original.id, approve, reject };
}

function click(user: string | FakeUser, message: string, customId: string): Promise<SentInteraction> {
  return bot.fake.sendButton({ custom_id: customId, message, user, roles: [roles.sre], channel_id: channels.ops });
}

/** The ephemeral follow-ups a click got. */
function privateAnswers(click: SentInteraction): MessageFields[] {
  return bot.fake
    .requests()
    .filter((request) => request.method === 'POST' && request.path === `/webhooks/${bot.fake.applicationId}/${click.token}`)
    .map((request) => request.body as MessageFields);
}

async function restartSteps(): Promise<number> {
  const events = await bot.app.audit.latest(500);
  return events.filter((event) => event.kind === 'step' && event.action === 'docker.restart' && event.outcome === 'ok').length;
}

describe('approvals through the real discord.js against the fake Discord, on a real container and a Redis of its own', () => {
  it('asks with a card, refuses self-approval privately, and restarts once for 20 concurrent approvals', async () => {
    const before = await startedAt();
    const asked = await restartCard();
    expect(asked.approve).toMatch(/^approve [0-9a-z]{6}$/);
    expect(asked.reject).toBe(asked.approve.replace('approve', 'reject'));
    const pending = card(asked.id);
    expect(shown(pending)).toContain('Approval needed: restart');
    expect(shown(pending)).toContain(container);
    expect(await startedAt()).toBe(before);

    const own = await click(users.alice, asked.id, asked.approve);
    expect(await bot.fake.waitForCallback(own.id)).toMatchObject({ type: 6 });
    const refusal = await bot.fake.waitForRequest('POST', `/webhooks/${bot.fake.applicationId}/${own.token}`);
    expect(refusal.body).toMatchObject({ flags: ephemeral, content: expect.stringMatching(/four-eyes rule/) });
    await bot.commands.waitForFinished(command(asked.approve, users.alice));
    expect(card(asked.id)).toEqual(pending);
    expect(await startedAt()).toBe(before);

    const clickers: Array<string | FakeUser> = [...Array.from({ length: 8 }, () => users.bob), ...otherSres];
    const clicks = await Promise.all(clickers.map((user) => click(user, asked.id, asked.approve)));
    const outcome = await waitFor('the card to show the restart', async () => (/restarted/.test(shown(card(asked.id))) ? card(asked.id) : undefined), 20_000);
    expect(await restartSteps()).toBe(1);
    const winner = /approved by","value":"([\w-]+) at <t:\d+:f>/.exec(shown(outcome))?.[1];
    expect(['bob', ...otherSres.map((user) => user.username)]).toContain(winner);
    expect(shown(outcome)).toMatch(/"title":"✅ Plan".*"name":"✔ requested by","value":"alice at <t:\d+:f>"/);
    expect(shown(outcome)).toContain(`approval ${asked.approve.split(' ')[1]}`);
    expect(customIds(outcome)).toEqual({});
    const after = await startedAt();
    expect(after).not.toBe(before);

    const answered = await waitFor('private answers to the other 19 clicks', async () => {
      const answers = clicks.flatMap(privateAnswers);
      return answers.length >= clickers.length - 1 ? answers : undefined;
    });
    expect(answered).toHaveLength(clickers.length - 1);
    await eventually('all 20 approval clicks handled', () => bot.commands.finished().filter(command(asked.approve)).length === clickers.length + 1);
    for (const answer of answered) {
      expect(answer).toMatchObject({ flags: ephemeral, content: expect.stringMatching(/is already (approved and running|done); your click changed nothing/) });
    }
    expect(bot.fake.messages(channels.ops).filter((message) => (message.flags & ephemeral) === 0).map((message) => message.id)).toEqual([asked.id]);
    expect(await restartSteps()).toBe(1);
    const id = asked.approve.split(' ')[1];
    const decisions = (await bot.app.audit.latest(500)).filter((event) => event.approvalId === id);
    expect(decisions.filter((event) => event.outcome === 'approved')).toEqual([expect.objectContaining({ platform: 'discord', actor: expect.objectContaining({ name: winner }) })]);
    expect(decisions.filter((event) => event.outcome === 'refused')).toEqual([expect.objectContaining({ detail: 'self-approval', actor: { id: users.alice, name: 'alice' } })]);
    expect(approveOutcomes(decisions, id!)).toEqual({
      ok: [expect.objectContaining({ actor: expect.objectContaining({ name: winner }), runbook: 'restart', detail: expect.stringMatching(/^approved \(1 of 1\); restarted /) })],
      'no-op': Array.from({ length: clickers.length - 1 }, () => expect.objectContaining({ detail: expect.stringMatching(/^the request was already (approved|done)$/) })),
      denied: [expect.objectContaining({ detail: 'self-approval' })],
    });
    expect(await startedAt()).toBe(after);
  }, 35_000);

  it('runs nothing when bob rejects, and the card says he did', async () => {
    const before = await startedAt();
    const restarts = await restartSteps();
    const asked = await restartCard();
    const rejecting = await click(users.bob, asked.id, asked.reject);
    expect(await bot.fake.waitForCallback(rejecting.id)).toMatchObject({ type: 6 });
    const closed = await waitFor('the card to say who rejected it', async () => (/Rejected by bob/.test(shown(card(asked.id))) ? card(asked.id) : undefined));
    expect(shown(closed)).toContain('⛔ Rejected: restart');
    expect(customIds(closed)).toEqual({});

    const late = await click(users.alice, asked.id, asked.approve);
    const answer = await bot.fake.waitForRequest('POST', `/webhooks/${bot.fake.applicationId}/${late.token}`);
    expect(answer.body).toMatchObject({ flags: ephemeral, content: expect.stringMatching(/is already rejected; your click changed nothing/) });
    await bot.commands.waitForFinished(command(asked.approve, users.alice));
    expect(await startedAt()).toBe(before);
    expect(await restartSteps()).toBe(restarts);
  }, 20_000);
});
