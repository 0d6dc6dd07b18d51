import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/audit/audit-trail.js';
import { removeTestContainers, startTestContainer } from '../support/docker.js';
import { blockTexts, buttonValue, command, OPERATOR, startSlackHarness, type SlackHarness, expectEmptyAck, privateAnswer } from './slack-harness.js';

const suffix = randomBytes(4).toString('hex');
const allowed = `maintbot-test-slack-refuse-${suffix}`;
const forbidden = `maintbot-test-slack-refuse-other-${suffix}`;
const channel = 'C0OPS';
const viewer = { user_id: 'U0ALICE', user_name: 'alice' };
const bob = { user_id: OPERATOR, user_name: 'bob' };
const anna = { user_id: 'U0ANNA', user_name: 'anna' };
const carl = { user_id: 'U0CARL', user_name: 'carl' };
/** The rate-limit windows' clock: 10:15:20 UTC, so the minute's window ends at 10:16. */
const rateLimitClock = Date.parse('2026-03-02T10:15:20Z');

/**
 * Sends `/maint <text>` and expects an empty acknowledgement and the refusal as one private answer (ephemeral),
 * then, once the command has finished, that nothing was posted or updated in the channel and nothing more was said.
 */
async function refusedPrivately(harness: SlackHarness, user: { user_id: string; user_name: string }, text: string): Promise<{ text: string; shown: string; row: AuditEvent }> {
  const before = harness.fake.calls().length;
  const delivered = await harness.fake.sendSlashCommand({ text, channel_id: channel, ...user });
  await harness.commands.waitForFinished(command(text, user.user_id));
  expectEmptyAck(delivered);
  const answer = await privateAnswer(harness.fake, delivered);
  expect(answer).toMatchObject({ response_type: 'ephemeral' });
  const channelCalls = harness.fake.calls().slice(before).filter((call) => call.method === 'chat.postMessage' || call.method === 'chat.update');
  expect(channelCalls).toEqual([]);
  expect(harness.fake.responses(delivered.responseUrlId)).toHaveLength(1);
  const rows = (await harness.app.audit.latest(50)).filter((event) => event.command === text && event.actor.id === user.user_id);
  expect(rows).toHaveLength(1);
  return { text: String(answer.text), shown: JSON.stringify(answer), row: rows[0]! };
}

describe('Slack: refusals found before a runbook starts go only to the requester', () => {
  let harness: SlackHarness;

  beforeAll(async () => {
    harness = await startSlackHarness('socket', { now: () => rateLimitClock });
    const db = new pg.Client(harness.postgres.url());
    await db.connect();
    await db.query('CREATE TABLE orders (id int primary key)');
    await db.end();
  }, 60_000);
  afterAll(async () => harness?.close());
  beforeEach(() => harness.reset());

  it('/maint health <typo> from a viewer: the unknown target and a did-you-mean, privately', async () => {
    const refusal = await refusedPrivately(harness, viewer, 'health local-postgress');
    expect(refusal.text).toContain('unknown target "local-postgress"; the configured targets are: local-postgres, local-redis');
    expect(refusal.shown).toContain('did you mean `/maint health local-postgres`?');
    expect(refusal.row).toMatchObject({ kind: 'command', outcome: 'refused', runbook: 'health' });
  });

  it('/maint vacuum <no such table>: no table of that name, the similar ones, privately', async () => {
    const refusal = await refusedPrivately(harness, bob, 'vacuum order');
    expect(refusal.text).toMatch(/No table named "order" in database postgres on target local-postgres; tables with a similar name: orders\./);
    expect(refusal.row).toMatchObject({ outcome: 'refused', runbook: 'vacuum' });
  });

  it('the command over the default limit of 30 a minute: when to try again, in the reader’s own time zone, privately', async () => {
    for (let sent = 0; sent < 30; sent++) await harness.fake.sendSlashCommand({ text: 'runbooks', channel_id: channel, ...carl });
    await harness.commands.waitForFinished(command('runbooks', carl.user_id));
    const refusal = await refusedPrivately(harness, carl, 'approvals');
    expect(refusal.text).toBe('✖ You have reached the limit of 30 commands a minute. Try again at 10:16 UTC.');
    expect(refusal.shown).toContain('Try again at <!date^1772446560^{date_short_pretty} {time}|10:16 UTC>.');
    expect(refusal.row).toMatchObject({ kind: 'command', outcome: 'refused', detail: 'rate limit: 30 commands a minute, retry at 2026-03-02T10:16:00.000Z' });
  });

  it('/maint restart with no Docker target configured: says so, privately', async () => {
    const refusal = await refusedPrivately(harness, bob, 'restart api');
    expect(refusal.text).toContain('No Docker target is configured.');
    expect(refusal.row).toMatchObject({ outcome: 'refused', runbook: 'restart' });
  });
});

describe('Slack: refusals of a Docker restart go only to the requester', () => {
  let harness: SlackHarness;

  beforeAll(async () => {
    await removeTestContainers(`maintbot-test-slack-refuse-`);
    await Promise.all([startTestContainer({ name: allowed }), startTestContainer({ name: forbidden })]);
    harness = await startSlackHarness('socket', {
      targets: { docker: [{ name: 'apps', containers: [allowed], allow_actions: ['restart'] }] },
      grants: [{ role: 'operator', slack: { users: [anna.user_id] } }],
    });
  }, 60_000);
  afterAll(async () => {
    await harness?.close();
    await removeTestContainers(`maintbot-test-slack-refuse-`);
  });
  beforeEach(() => harness.reset());

  it('/maint restart <a container not in the allow-list>: names what is allowed, privately', async () => {
    const refusal = await refusedPrivately(harness, bob, `restart ${forbidden}`);
    expect(refusal.text).toContain(`Container "${forbidden}" is not in the allow-list of Docker target apps. Allowed containers: ${allowed}.`);
    expect(refusal.row).toMatchObject({ outcome: 'refused', runbook: 'restart' });
  });

  it('/maint restart <a misspelt container>: a did-you-mean, privately', async () => {
    const refusal = await refusedPrivately(harness, bob, `restart ${allowed.slice(0, -1)}`);
    expect(refusal.text).toContain(`Did you mean ${allowed}?`);
  });

  it('/maint restart of a container another request waits for: filed all the same, the requester told privately of the pending one (id, who, since)', async () => {
    const asked = await harness.fake.sendSlashCommand({ text: `restart ${allowed}`, channel_id: channel, ...anna });
    expectEmptyAck(asked);
    const card = await harness.fake.waitForCall('chat.update', (call) => buttonValue(call.body.blocks, 'Reject') !== undefined);
    await harness.commands.waitForFinished(command(`restart ${allowed}`, anna.user_id));
    const reject = buttonValue(card.body.blocks, 'Reject')!;
    const id = reject.split(' ')[1]!;
    harness.reset();

    const second = await harness.fake.sendSlashCommand({ text: `restart ${allowed}`, channel_id: channel, ...bob });
    const finished = await harness.commands.waitForFinished(command(`restart ${allowed}`, bob.user_id));
    const secondCard = await harness.fake.waitForCall('chat.update', (call) => buttonValue(call.body.blocks, 'Reject') !== undefined);
    const told = harness.fake.responses(second.responseUrlId).filter((post) => post.responseType === 'ephemeral');
    expect(told).toHaveLength(1);
    expect(JSON.stringify(told[0]!.body)).toMatch(new RegExp(`Also pending for docker:apps/${allowed}: request ${id} by anna since <!date\\^\\d+\\^[^|]+\\|\\d\\d:\\d\\d UTC> \\(restart: `));
    const rows = (await harness.app.audit.latest(50)).filter((event) => event.kind === 'command' && event.invocationId === finished.id);
    expect(rows).toEqual([expect.objectContaining({ outcome: 'pending-approval', runbook: 'restart' })]);

    for (const [ts, value] of [[card.body.ts, reject], [secondCard.body.ts, buttonValue(secondCard.body.blocks, 'Reject')!]] as const) {
      await harness.fake.sendBlockAction({ ...anna, channel_id: channel, message_ts: ts as string, value, button_text: 'Reject', action_id: 'maint-button-1' });
      await harness.fake.waitForCall('chat.update', (call) => call.body.ts === ts && /Rejected/.test(blockTexts(call.body.blocks)));
    }
  });
});
