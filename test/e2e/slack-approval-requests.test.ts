import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { StoredMessage } from '../fakes/slack/index.js';
import { removeTestContainers, startTestContainer } from '../support/docker.js';
import { blockTexts, buttonValue, command, startSlackHarness, type SlackHarness, expectEmptyAck, privateAnswer } from './slack-harness.js';

const container = `maintbot-test-slack-requests-${randomBytes(4).toString('hex')}`;
const channel = 'C0OPS';
const anna = { user_id: 'U0ANNA', user_name: 'anna' };
const ben = { user_id: 'U0BEN', user_name: 'ben' };
const root = { user_id: 'U0ROOT', user_name: 'root' };
const slackDate = /<!date\^\d+\^\{date_short_pretty\} \{time\}\|\d\d:\d\d UTC>/;

let harness: SlackHarness;

beforeAll(async () => {
  await removeTestContainers(container);
  await startTestContainer({ name: container });
  harness = await startSlackHarness('socket', {
    targets: { docker: [{ name: 'apps', containers: [container], allow_actions: ['restart'] }] },
    grants: [
      { role: 'operator', slack: { users: [anna.user_id, ben.user_id] } },
      { role: 'admin', slack: { users: [root.user_id] } },
    ],
    approvals: { notify: { slack: { groups: ['S0OPS'], users: ['U0ALICE'] } } },
  });
}, 30_000);

beforeEach(() => harness.reset());

afterAll(async () => {
  await harness?.close();
  await removeTestContainers(container);
});

function message(ts: string): StoredMessage {
  const found = harness.fake.messages(channel).find((candidate) => candidate.ts === ts);
  if (!found) throw new Error(`no message ${ts} in #ops`);
  return found;
}

/** `requester` asks for a restart; resolves with the card's ts and request id once the card shows its buttons. */
async function restartCard(requester: typeof anna): Promise<{ ts: string; id: string }> {
  const since = harness.fake.calls().at(-1)?.seq ?? 0;
  await harness.fake.sendSlashCommand({ text: `restart ${container}`, channel_id: channel, ...requester });
  const post = await harness.fake.waitForCall('chat.postMessage', (call) => call.seq > since && call.body.channel === channel && call.body.thread_ts === undefined);
  const ts = post.response.ts as string;
  const card = await harness.fake.waitForCall('chat.update', (call) => call.body.ts === ts && buttonValue(call.body.blocks, 'Approve') !== undefined, 15_000);
  return { ts, id: buttonValue(card.body.blocks, 'Approve')!.split(' ')[1]! };
}

/** Types `/maint <text>` as `user`; resolves with its private answer once the command has finished. */
async function type(user: typeof anna, text: string): Promise<{ text: string; blocks: string }> {
  const delivered = await harness.fake.sendSlashCommand({ text, channel_id: channel, ...user });
  await harness.commands.waitForFinished(command(text, user.user_id));
  expectEmptyAck(delivered);
  const payload = await privateAnswer(harness.fake, delivered);
  expect(payload.response_type).toBe('ephemeral');
  return { text: String(payload.text ?? ''), blocks: blockTexts(payload.blocks) };
}

function channelPosts(): number {
  return harness.fake.calls('chat.postMessage').filter((call) => call.body.channel === channel && call.body.thread_ts === undefined).length;
}

describe('pending approval requests through the real Bolt against the fake Slack', () => {
  it('calls the approvers named in approvals.notify in a reply under each new card, and shows its times in the reader’s zone', async () => {
    const card = await restartCard(anna);
    const call = await harness.fake.waitForCall('chat.postMessage', (candidate) => candidate.body.thread_ts === card.ts);
    expect(call.body.channel).toBe(channel);
    expect(call.body.text).toMatch(new RegExp(`^<!subteam\\^S0OPS> <@U0ALICE> anna asks for your approval: restart, restart container ${container}`));
    expect(blockTexts(call.body.blocks)).toContain('<!subteam^S0OPS> <@U0ALICE> anna asks for your approval');
    expect(blockTexts(call.body.blocks)).toMatch(slackDate);
    const shown = blockTexts(message(card.ts).blocks);
    expect(shown).toMatch(new RegExp(`\\*expires\\*\\\\n${slackDate.source} \\(in 15 min\\)`));
    expect(message(card.ts).text).toMatch(/expires\s+\d\d:\d\d UTC \(in 15 min\)/);
    await type(anna, `cancel ${card.id}`);
  }, 30_000);

  it('lists the pending requests with their plan, requester, approvals so far and expiry', async () => {
    const card = await restartCard(anna);
    const listed = await type(ben, 'approvals');
    expect(listed.text).toContain('1 approval request is pending');
    expect(listed.text).toMatch(new RegExp(`• ${card.id} · restart: restart container ${container}.* · asked by anna · 0 of 1 approval · expires \\d\\d:\\d\\d UTC \\(in 1[45] min\\)`));
    expect(listed.blocks).toMatch(new RegExp(`expires ${slackDate.source}`));
    await type(anna, `cancel ${card.id}`);
    expect((await type(ben, 'approvals')).text).toBe('No approval requests are pending.');
  }, 30_000);

  it('refuses a cancel by someone else privately, lets the requester or an admin withdraw a request, and frees its lock', async () => {
    const card = await restartCard(anna);
    const asked = structuredClone(message(card.ts));
    const posts = channelPosts();

    const refused = await type(ben, `cancel ${card.id}`);
    expect(refused.text).toBe(`✖ Only anna, who asked, or an admin may cancel request ${card.id}.`);
    expect(message(card.ts)).toEqual(asked);

    const withdrawn = await type(anna, `cancel ${card.id}`);
    expect(withdrawn.text).toMatch(new RegExp(`^Cancelled request ${card.id} \\(restart: restart container ${container}.*\\)\\. Nothing was run\\.$`));
    const closed = message(card.ts);
    expect(blockTexts(closed.blocks)).toContain(':no_entry_sign: Cancelled: restart');
    expect(blockTexts(closed.blocks)).toMatch(new RegExp(`\\*CANCELLED\\* · Cancelled by anna at ${slackDate.source}\\. Nothing was run\\.`));
    expect(buttonValue(closed.blocks, 'Approve')).toBeUndefined();
    expect(channelPosts()).toBe(posts);

    const again = await restartCard(anna);
    expect(again.id).not.toBe(card.id);
    await type(root, `cancel ${again.id}`);
    expect(blockTexts(message(again.ts).blocks)).toMatch(new RegExp(`Cancelled by root at ${slackDate.source}`));
    const rows = (await harness.app.audit.latest(100)).filter((row) => row.kind === 'approval' && (row.approvalId === card.id || row.approvalId === again.id));
    expect(rows.map((row) => `${row.approvalId === card.id ? 'first' : 'second'} ${row.outcome} ${row.actor.name}`).reverse()).toEqual([
      'first requested anna',
      'first refused ben',
      'first cancelled anna',
      'second requested anna',
      'second cancelled root',
    ]);
  }, 30_000);
});
