import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RedisStore } from '../../src/store/redis-store.js';
import { dockerClient, removeTestContainers, startTestContainer, waitFor } from '../support/docker.js';
import type { StoredMessage } from '../fakes/slack/index.js';
import { approveOutcomes } from '../support/outcomes.js';
import { eventually } from '../support/services.js';
import { blockTexts, buttonValue, command, startSlackHarness, type SlackHarness, expectEmptyAck } from './slack-harness.js';

const suffix = randomBytes(4).toString('hex');
const container = `maintbot-test-slack-approve-${suffix}`;
const storePrefix = `maintbot-test-slack-approvals-${suffix}:`;
const channel = 'C0OPS';
const anna = { user_id: 'U0ANNA', user_name: 'anna' };
const ben = { user_id: 'U0BEN', user_name: 'ben' };
const others = Array.from({ length: 12 }, (_, index) => ({ user_id: `U0APPROVER${index}`, user_name: `approver-${index}` }));

let harness: SlackHarness;

beforeAll(async () => {
  await removeTestContainers(container);
  await startTestContainer({ name: container });
  const store = await RedisStore.connect('redis://127.0.0.1:6379', { prefix: storePrefix });
  harness = await startSlackHarness('socket', {
    store,
    targets: { docker: [{ name: 'apps', containers: [container], allow_actions: ['restart'] }] },
    grants: [{ role: 'operator', slack: { users: [anna.user_id, ben.user_id, ...others.map((user) => user.user_id)] } }],
  });
}, 30_000);

beforeEach(() => harness.reset());

afterAll(async () => {
  await harness?.close();
  await removeTestContainers(container);
  const redis = new Redis('redis://127.0.0.1:6379');
  const keys = await redis.keys(`${storePrefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

async function startedAt(): Promise<string> {
  return (await dockerClient().getContainer(container).inspect()).State.StartedAt;
}

function message(ts: string): StoredMessage {
  const found = harness.fake.messages(channel).find((candidate) => candidate.ts === ts);
  if (!found) throw new Error(`no message ${ts} in #ops`);
  return found;
}

async function restartCard(requester: { user_id: string; user_name: string }): Promise<{ ts: string; approve: string; reject: string }> {
  const since = harness.fake.calls().at(-1)?.seq ?? 0;
  const delivered = await harness.fake.sendSlashCommand({ text: `restart ${container}`, channel_id: channel, ...requester });
  expectEmptyAck(delivered);
  const post = await harness.fake.waitForCall('chat.postMessage', (call) => call.seq > since && call.body.channel === channel);
  const ts = post.response.ts as string;
  const card = await harness.fake.waitForCall('chat.update', (call) => call.body.ts === ts && buttonValue(call.body.blocks, 'Approve') !== undefined, 15_000);
  return { ts, approve: buttonValue(card.body.blocks, 'Approve')!, reject: buttonValue(card.body.blocks, 'Reject')! };
}

function click(user: { user_id: string; user_name: string }, ts: string, value: string, label: string) {
  return harness.fake.sendBlockAction({ ...user, channel_id: channel, message_ts: ts, value, button_text: label, action_id: label === 'Approve' ? 'maint-button-0' : 'maint-button-1' });
}

async function restartSteps(): Promise<number> {
  const events = await harness.app.audit.latest(500);
  return events.filter((event) => event.kind === 'step' && event.action === 'docker.restart' && event.outcome === 'ok').length;
}

describe('approvals through the real Bolt against the fake Slack, on a real container and Redis', () => {
  it('asks with a card, refuses self-approval privately, and restarts once for 20 concurrent approvals', async () => {
    const { fake } = harness;
    const before = await startedAt();
    const card = await restartCard(anna);
    expect(card.approve).toMatch(/^approve [0-9a-z]{6}$/);
    expect(card.reject).toBe(card.approve.replace('approve', 'reject'));
    const asked = message(card.ts);
    expect(blockTexts(asked.blocks)).toContain('Approval needed: restart');
    expect(blockTexts(asked.blocks)).toContain(container);
    expect(await startedAt()).toBe(before);

    const own = await click(anna, card.ts, card.approve, 'Approve');
    const refusal = await fake.waitForResponse(own.responseUrlId);
    expect(refusal).toMatchObject({ responseType: 'ephemeral', replaceOriginal: false });
    expect(refusal.body.text).toMatch(/four-eyes rule/);
    await harness.commands.waitForFinished(command(card.approve, anna.user_id));
    expect(message(card.ts)).toEqual(asked);
    expect(await startedAt()).toBe(before);

    const clickers = [...Array.from({ length: 8 }, () => ben), ...others];
    const clicks = await Promise.all(clickers.map((user) => click(user, card.ts, card.approve, 'Approve')));
    const outcome = await fake.waitForCall('chat.update', (call) => call.body.ts === card.ts && /restarted/.test(blockTexts(call.body.blocks)), 20_000);
    expect(await restartSteps()).toBe(1);
    const winner = /\*approved by\*\\n([\w-]+) at <!date\^\d+\^\{date_short_pretty\} \{time\}\|\d\d:\d\d UTC>/.exec(blockTexts(outcome.body.blocks))?.[1];
    expect(clickers.map((user) => user.user_name)).toContain(winner);
    expect(blockTexts(outcome.body.blocks)).toMatch(/:white_check_mark: \*Plan\*.*\*requested by\*\\nanna at <!date\^/);
    expect(blockTexts(outcome.body.blocks)).toContain(`approval ${card.approve.split(' ')[1]}`);
    const after = await startedAt();
    expect(after).not.toBe(before);

    const answered = await waitFor('private answers to the other 19 clicks', async () => {
      const posts = clicks.flatMap((delivered) => fake.responses(delivered.responseUrlId));
      return posts.length >= clickers.length - 1 ? posts : undefined;
    });
    expect(answered).toHaveLength(clickers.length - 1);
    await eventually('all 20 approval clicks handled', () => harness.commands.finished().filter(command(card.approve)).length === clickers.length + 1);
    for (const post of answered) {
      expect(post).toMatchObject({ responseType: 'ephemeral', replaceOriginal: false });
      expect(post.body.text).toMatch(/is already (approved and running|done); your click changed nothing/);
    }
    expect(fake.calls('chat.update').filter((call) => call.body.ts !== card.ts)).toEqual([]);
    expect(fake.calls('chat.postMessage').filter((call) => call.body.channel === channel)).toHaveLength(1);
    expect(blockTexts(message(card.ts).blocks)).toMatch(/restarted/);
    expect(buttonValue(message(card.ts).blocks, 'Approve')).toBeUndefined();
    expect(await restartSteps()).toBe(1);
    const id = card.approve.split(' ')[1];
    const decisions = (await harness.app.audit.latest(500)).filter((event) => event.approvalId === id);
    expect(decisions.filter((event) => event.outcome === 'approved')).toEqual([expect.objectContaining({ platform: 'slack', actor: expect.objectContaining({ name: winner }) })]);
    expect(decisions.filter((event) => event.outcome === 'refused')).toEqual([expect.objectContaining({ detail: 'self-approval', actor: { id: anna.user_id, name: 'anna' } })]);
    expect(approveOutcomes(decisions, id!)).toEqual({
      ok: [expect.objectContaining({ actor: expect.objectContaining({ name: winner }), runbook: 'restart', detail: expect.stringMatching(/^approved \(1 of 1\); restarted /) })],
      'no-op': Array.from({ length: clickers.length - 1 }, () => expect.objectContaining({ detail: expect.stringMatching(/^the request was already (approved|done)$/) })),
      denied: [expect.objectContaining({ detail: 'self-approval' })],
    });
    expect(await startedAt()).toBe(after);
  }, 35_000);

  it('runs nothing when the second person rejects, and the card says who rejected it', async () => {
    const { fake } = harness;
    const before = await startedAt();
    const restarts = await restartSteps();
    const card = await restartCard(anna);
    await click(ben, card.ts, card.reject, 'Reject');
    await fake.waitForCall('chat.update', (call) => call.body.ts === card.ts && /Rejected by ben/.test(blockTexts(call.body.blocks)));
    const closed = message(card.ts);
    expect(blockTexts(closed.blocks)).toContain(':no_entry: Rejected: restart');
    expect(buttonValue(closed.blocks, 'Approve')).toBeUndefined();

    const late = await click(anna, card.ts, card.approve, 'Approve');
    expect((await fake.waitForResponse(late.responseUrlId)).body.text).toMatch(/is already rejected; your click changed nothing/);
    await harness.commands.waitForFinished(command(card.approve, anna.user_id));
    expect(await startedAt()).toBe(before);
    expect(await restartSteps()).toBe(restarts);
  }, 20_000);
});
