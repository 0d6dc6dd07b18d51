import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/store/redis-store.js';
import { DISCORD_FIXTURE, startFakeDiscord, type FakeDiscord, type FakeUser, type MessageFields, type SentInteraction } from '../fakes/discord/index.js';
import { command } from '../support/command-log.js';
import { dockerClient, removeTestContainers, startTestContainer, waitFor } from '../support/docker.js';
import { startRoundRobinProxy, type RoundRobinProxy } from '../support/round-robin-proxy.js';
import { startOwnRedis, type OwnRedis } from '../support/services.js';
import { startBot, TOKEN, type RunningBot } from './discord-support.js';

const { channels, roles, users } = DISCORD_FIXTURE;
const container = `maintbot-test-discord-http-${randomBytes(4).toString('hex')}`;
const prefix = 'maintbot-test-discord-http-replicas:';
/** Members outside the fixture who hold the sre role, so several people can click at once. */
const otherSres: FakeUser[] = Array.from({ length: 8 }, (_, index) => ({ id: `17000000000000000${String(index).padStart(2, '0')}`, username: `approver-${index}` }));

let fake: FakeDiscord;
let redis: OwnRedis;
let replicaA: RunningBot;
let replicaB: RunningBot;
let proxy: RoundRobinProxy;

async function startReplica(): Promise<RunningBot> {
  return startBot({
    fake,
    mode: 'http',
    store: await RedisStore.connect(redis.url, { prefix }),
    shippedCommands: ['restart.yaml', 'approve.yaml', 'reject.yaml'],
    targets: { docker: [{ name: 'apps', containers: [container], allow_actions: ['restart'] }] },
    grants: [{ role: 'operator', discord: { roles: [roles.sre] } }],
    rateLimits: { enabled: false },
  });
}

beforeAll(async () => {
  await removeTestContainers(container);
  await startTestContainer({ name: container });
  redis = await startOwnRedis();
  fake = await startFakeDiscord({ token: TOKEN, waitTimeoutMs: 20_000 });
  replicaA = await startReplica();
  replicaB = await startReplica();
  proxy = await startRoundRobinProxy([replicaA.interactionsUrl!, replicaB.interactionsUrl!]);
  fake.deliverOverHttp(proxy.url);
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await replicaA?.close();
  await replicaB?.close();
  await fake?.close();
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

function card(id: string): string {
  return shown(fake.messages(channels.ops).find((message) => message.id === id));
}

/** Alice asks for a restart; resolves with the card (the original response, edited) and its Approve button. */
async function restartCard(): Promise<{ id: string; approve: string }> {
  const sent = await fake.sendChatCommand({ subcommand: 'restart', options: { container }, user: users.alice, channel_id: channels.ops });
  const edit = await fake.waitForOriginalEdit(sent.token, (body) => customIds(body).Approve !== undefined, 15_000);
  const original = fake.originalMessage(sent.token);
  const approve = customIds(edit.body as MessageFields).Approve;
  if (!original || !approve) throw new Error('the approval card has no Approve button');
  return { id: original.id, approve };
}

function click(user: string | FakeUser, message: string, customId: string): Promise<SentInteraction> {
  return fake.sendButton({ custom_id: customId, message, user, roles: [roles.sre], channel_id: channels.ops });
}

/** The ephemeral follow-ups a click got. */
function privateAnswers(sent: SentInteraction): MessageFields[] {
  return fake
    .requests()
    .filter((request) => request.method === 'POST' && request.path === `/webhooks/${fake.applicationId}/${sent.token}`)
    .map((request) => request.body as MessageFields);
}

/** Restart steps that ran, over both replicas' audit trails. */
async function restartSteps(): Promise<number> {
  const events = [...(await replicaA.app.audit.latest(500)), ...(await replicaB.app.audit.latest(500))];
  return events.filter((event) => event.kind === 'step' && event.action === 'docker.restart' && event.outcome === 'ok').length;
}

describe('two replicas on one Redis behind one Interactions Endpoint URL, over HTTP interactions', () => {
  it('serves commands on both replicas, each interaction on exactly one', async () => {
    replicaA.commands.clear();
    replicaB.commands.clear();
    const people = [users.alice, users.bob, users.carol, users.mallory];
    const sent = await Promise.all(people.map((user) => fake.sendChatCommand({ subcommand: 'help', user })));
    for (const interaction of sent) expect(await fake.waitForCallback(interaction.id)).toMatchObject({ type: 4, ephemeral: true, via: 'http-response' });
    for (const user of people) await waitFor(`help by ${user} to finish`, async () => [replicaA, replicaB].some((replica) => replica.commands.finished().some(command('help', user))) || undefined);
    const servedBy = (replica: RunningBot): string[] => replica.commands.finished().map((invocation) => invocation.actor.id);
    expect(servedBy(replicaA)).toHaveLength(2);
    expect(servedBy(replicaB)).toHaveLength(2);
    expect([...servedBy(replicaA), ...servedBy(replicaB)].sort()).toEqual([...people].sort());
  });

  it('restarts once when the request was made on replica A and approved on replica B, and later clicks on either change nothing', async () => {
    const before = await startedAt();
    fake.deliverOverHttp(replicaA.interactionsUrl!);
    const asked = await restartCard();
    expect(card(asked.id)).toContain('Approval needed: restart');
    await replicaA.commands.waitForFinished(command(`restart ${container}`, users.alice));

    fake.deliverOverHttp(replicaB.interactionsUrl!);
    const approval = await click(users.bob, asked.id, asked.approve);
    expect(await fake.waitForCallback(approval.id)).toMatchObject({ type: 6, via: 'http-response' });
    await waitFor('the card to show the restart', async () => /restarted/.test(card(asked.id)) || undefined, 20_000);
    expect(card(asked.id)).toMatch(/approved by","value":"bob at/);
    await replicaB.commands.waitForFinished(command(asked.approve, users.bob));
    expect(replicaA.commands.begun().some((invocation) => invocation.text === asked.approve)).toBe(false);
    const after = await startedAt();
    expect(after).not.toBe(before);

    fake.deliverOverHttp(proxy.url);
    const late = await Promise.all(otherSres.slice(0, 4).map((user) => click(user, asked.id, asked.approve)));
    const answers = await waitFor('private answers to the late clicks', async () => {
      const found = late.flatMap(privateAnswers);
      return found.length >= late.length ? found : undefined;
    });
    for (const answer of answers) expect(answer).toMatchObject({ flags: 64, content: expect.stringMatching(/is already (approved and running|done); your click changed nothing/) });
    const lateFinished = (): number => [replicaA, replicaB].flatMap((replica) => replica.commands.finished()).filter(command(asked.approve)).length;
    await waitFor('the late clicks to be handled', async () => lateFinished() === late.length + 1 || undefined);
    expect(await restartSteps()).toBe(1);
    expect(await startedAt()).toBe(after);
  }, 45_000);

  it('restarts exactly once when approvers click at the same moment on both replicas', async () => {
    fake.deliverOverHttp(proxy.url);
    const steps = await restartSteps();
    const before = await startedAt();
    const asked = await restartCard();
    const forwardedBefore = proxy.forwarded.length;
    const clicks = await Promise.all(otherSres.map((user) => click(user, asked.id, asked.approve)));
    const outcome = await waitFor('the card to show the restart', async () => (/restarted/.test(card(asked.id)) ? card(asked.id) : undefined), 20_000);
    expect(new Set(proxy.forwarded.slice(forwardedBefore))).toEqual(new Set([replicaA.interactionsUrl, replicaB.interactionsUrl]));
    const winner = /approved by","value":"([\w-]+) at/.exec(outcome)?.[1];
    expect(otherSres.map((user) => user.username)).toContain(winner);
    const answered = await waitFor('private answers to the other clicks', async () => {
      const found = clicks.flatMap(privateAnswers);
      return found.length >= clicks.length - 1 ? found : undefined;
    });
    expect(answered).toHaveLength(clicks.length - 1);
    const clicked = (replica: RunningBot): number => replica.commands.finished().filter((invocation) => invocation.text === asked.approve).length;
    await waitFor('every click to be handled', async () => clicked(replicaA) + clicked(replicaB) === clicks.length || undefined);
    expect(clicked(replicaA)).toBeGreaterThan(0);
    expect(clicked(replicaB)).toBeGreaterThan(0);
    expect(await restartSteps()).toBe(steps + 1);
    expect(await startedAt()).not.toBe(before);
  }, 45_000);
});
