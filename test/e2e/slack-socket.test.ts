import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SlackBlock } from '../../src/chat/slack/blocks.js';
import { statusEmoji } from '../../src/chat/slack/blocks.js';
import { notice } from '../../src/core/report.js';
import type { RecordedCall } from '../fakes/slack/index.js';
import { blockTexts, command, OPERATOR, startSlackHarness, type SlackHarness, expectEmptyAck, privateAnswer } from './slack-harness.js';

/** Zeroes the stats of the harness's redis-server, then makes every key lookup since a miss: its hit ratio is crit. */
async function onlyMisses(url: string): Promise<void> {
  const redis = new Redis(url);
  try {
    await redis.config('RESETSTAT');
    for (const key of ['absent-1', 'absent-2', 'absent-3']) await redis.get(key);
  } finally {
    redis.disconnect();
  }
}

describe('Slack adapter in Socket Mode, through the real Bolt against the fake Slack', () => {
  let harness: SlackHarness;

  beforeAll(async () => {
    harness = await startSlackHarness('socket');
  });
  afterAll(async () => {
    await harness.close();
  });
  beforeEach(() => harness.reset());

  const isReport = (call: RecordedCall): boolean => (call.body.blocks as SlackBlock[] | undefined)?.[0]?.type === 'header';

  it('acks /maint health at once with nothing, posts progress in the channel and updates that message into the report of the real services', async () => {
    const { fake, commands, redis } = harness;
    await onlyMisses(redis.url);
    const delivered = await fake.sendSlashCommand({ text: 'health', channel_id: 'C0OPS', user_id: 'U0ALICE', user_name: 'alice' });
    expectEmptyAck(delivered);

    const post = await fake.waitForCall('chat.postMessage');
    expect(post.body).toMatchObject({ channel: 'C0OPS', text: expect.stringContaining('health: step 1 of 1') });
    const final = await fake.waitForCall('chat.update', (call) => call.body.ts === post.response.ts && isReport(call));
    await commands.waitForFinished(command('health', 'U0ALICE'));
    const blocks = final.body.blocks as SlackBlock[];
    expect(blocks[0]).toMatchObject({ type: 'header', text: { text: `${statusEmoji('crit')} Health` } });
    expect(blockTexts(blocks)).toContain(`${statusEmoji('ok')} 1 target ok: local-postgres (postgres)`);
    expect(blockTexts(blocks)).toContain(`${statusEmoji('crit')} *local-redis (redis)*`);
    expect(blockTexts(blocks)).toContain(`${statusEmoji('crit')} *hit ratio*\\n0.00 (0 hits, 3 misses since start)`);
    expect(blockTexts(blocks)).toContain('asked by alice');
    expect(final.body.text).toEqual(expect.stringContaining('Health'));
    expect(fake.calls('chat.postMessage')).toHaveLength(1);
    expect(fake.messages('C0OPS').find((message) => message.ts === post.response.ts)?.updates).toBeGreaterThanOrEqual(1);
  });

  it('answers a misspelt subcommand privately with the suggestion and posts nothing in the channel', async () => {
    const { fake, commands } = harness;
    const delivered = await fake.sendSlashCommand({ text: 'helth' });
    expectEmptyAck(delivered);
    expect(await privateAnswer(fake, delivered)).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining("Did you mean 'health'?") });
    await commands.waitForFinished(command('helth'));
    expect(fake.calls('chat.postMessage')).toEqual([]);
    expect(fake.responses(delivered.responseUrlId)).toHaveLength(1);
  });

  it('denies an operator command to a viewer, privately, and runs it for a member of the granted user group', async () => {
    const { fake, commands } = harness;
    const denied = await fake.sendSlashCommand({ text: 'deep-check', user_id: 'U0ALICE' });
    expectEmptyAck(denied);
    expect(await privateAnswer(fake, denied)).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining("'deep-check' needs the role operator") });
    await commands.waitForFinished(command('deep-check', 'U0ALICE'));
    expect(fake.calls('chat.postMessage')).toEqual([]);

    const allowed = await fake.sendSlashCommand({ text: 'deep-check', user_id: OPERATOR, user_name: 'bob' });
    expectEmptyAck(allowed);
    const post = await fake.waitForCall('chat.postMessage');
    await fake.waitForCall('chat.update', (call) => call.body.ts === post.response.ts && isReport(call));
    await commands.waitForFinished(command('deep-check', OPERATOR));
    expect(fake.calls('usergroups.users.list').length).toBeLessThanOrEqual(1);
  });

  it('runs a button whose value is a command and answers only the clicker', async () => {
    const { fake, commands } = harness;
    const delivered = await fake.sendBlockAction({ action_id: 'maint-button-0', value: 'help', button_text: 'Help', message_text: 'Morning report' });
    expect(delivered.ack.envelope_id).toBe(delivered.envelopeId);
    const answer = await fake.waitForResponse(delivered.responseUrlId);
    expect(answer).toMatchObject({ responseType: 'ephemeral', replaceOriginal: false });
    expect(blockTexts(answer.body.blocks)).toContain('health');
    await commands.waitForFinished(command('help'));
    expect(fake.calls('chat.update')).toEqual([]);
    expect(fake.calls('chat.postMessage')).toEqual([]);
  });

  it('updates the clicked card in place when its button runs a report', async () => {
    const { fake, commands } = harness;
    const delivered = await fake.sendBlockAction({ action_id: 'maint-button-0', value: 'health', message_text: 'Alert: local-redis' });
    const cardTs = (delivered.payload.message as { ts: string }).ts;
    await fake.waitForCall('chat.update', (call) => call.body.ts === cardTs && isReport(call));
    await commands.waitForFinished(command('health'));
    expect(fake.calls('chat.postMessage')).toEqual([]);
    expect(fake.calls('chat.update').every((call) => call.body.ts === cardTs)).toBe(true);
  });

  it('posts, threads and updates through the ChatPort by stored handle', async () => {
    const { fake, chat } = harness;
    const handle = await chat.port.post('C0OPS', notice('info', 'Morning report'));
    expect(handle).toEqual({ platform: 'slack', id: expect.stringMatching(/^C0OPS\/\d+\.\d+$/) });
    const stored = JSON.parse(JSON.stringify(handle)) as typeof handle;
    await chat.port.post('C0OPS', notice('info', 'a reply'), { thread: stored });
    await chat.port.update(stored, notice('info', 'Morning report (updated)'));
    const ts = handle.id.split('/')[1];
    expect(fake.calls('chat.postMessage')[1]?.body).toMatchObject({ thread_ts: ts, text: 'a reply' });
    expect(fake.messages('C0OPS').find((message) => message.ts === ts)).toMatchObject({ text: 'Morning report (updated)', updates: 1 });
  });

  it('reconnects after a disconnect message and answers the next command', async () => {
    const { fake, chat, commands } = harness;
    const before = fake.connectionCount();
    fake.disconnect('refresh_requested');
    await fake.waitForConnections(before + 1);
    const delivered = await fake.sendSlashCommand({ text: 'help' });
    expectEmptyAck(delivered);
    expect(await privateAnswer(fake, delivered)).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('maintbot commands') });
    expect(chat.connected()).toBe(true);
    await commands.waitForFinished(command('help'));
  });

  it('reconnects after the socket is dropped and answers the next command', async () => {
    const { fake, chat, commands } = harness;
    const before = fake.connectionCount();
    await fake.dropSocket();
    await fake.waitForConnections(before + 1);
    const delivered = await fake.sendSlashCommand({ text: 'helth' });
    expectEmptyAck(delivered);
    expect(await privateAnswer(fake, delivered)).toMatchObject({ text: expect.stringContaining("Did you mean 'health'?") });
    expect(chat.connected()).toBe(true);
    await commands.waitForFinished(command('helth'));
  });
});
