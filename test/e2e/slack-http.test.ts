import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SlackBlock } from '../../src/chat/slack/blocks.js';
import { statusEmoji } from '../../src/chat/slack/blocks.js';
import { unixSeconds, type RecordedCall } from '../fakes/slack/index.js';
import { blockTexts, healthDirectly, SIGNING_SECRET, startSlackHarness, type SlackHarness } from './slack-harness.js';

describe('Slack adapter in HTTP mode, through the real Bolt against the fake Slack', () => {
  let harness: SlackHarness;

  beforeAll(async () => {
    harness = await startSlackHarness('http');
  });
  afterAll(async () => {
    await harness.close();
  });
  beforeEach(() => harness.fake.reset());

  const isReport = (call: RecordedCall): boolean => (call.body.blocks as SlackBlock[] | undefined)?.[0]?.type === 'header';
  const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

  it('listens on the bound port and acks /maint health at once, then updates its channel message into the report', async () => {
    const { fake, app, chat, eventsUrl } = harness;
    expect(chat.httpPort).toBeGreaterThan(0);
    expect(chat.connected()).toBe(true);
    const answer = await fake.postSignedSlashCommand(eventsUrl, SIGNING_SECRET, { text: 'health', user_name: 'alice' });
    expect(answer.status).toBe(200);
    expect(answer.latencyMs).toBeLessThan(500);
    expect(JSON.parse(answer.body)).toMatchObject({ response_type: 'ephemeral', text: 'Working on it…' });

    const post = await fake.waitForCall('chat.postMessage');
    expect(post.body.text).toEqual(expect.stringContaining('health: step 1 of 1'));
    const final = await fake.waitForCall('chat.update', (call) => call.body.ts === post.response.ts && isReport(call), 15_000);
    const reference = await healthDirectly(app);
    expect((final.body.blocks as SlackBlock[])[0]).toMatchObject({ text: { text: `${statusEmoji(reference.status)} Health` } });
    expect(blockTexts(final.body.blocks)).toContain('local-postgres (postgres)');
    expect(blockTexts(final.body.blocks)).toContain('local-redis (redis)');
  });

  it('answers a misspelt subcommand in the HTTP response only, and posts nothing in the channel', async () => {
    const { fake, eventsUrl } = harness;
    const answer = await fake.postSignedSlashCommand(eventsUrl, SIGNING_SECRET, { text: 'helth' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining("Did you mean 'health'?") });
    await settle();
    expect(fake.calls('chat.postMessage')).toEqual([]);
  });

  it('denies an operator command to a viewer in the HTTP response only', async () => {
    const { fake, eventsUrl } = harness;
    const answer = await fake.postSignedSlashCommand(eventsUrl, SIGNING_SECRET, { text: 'deep-check', user_id: 'U0ALICE' });
    expect(JSON.parse(answer.body)).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('needs the role operator') });
    await settle();
    expect(fake.calls('chat.postMessage')).toEqual([]);
  });

  it('rejects a bad signature with 401 and runs nothing', async () => {
    const { fake, eventsUrl } = harness;
    const answer = await fake.postSignedSlashCommand(eventsUrl, SIGNING_SECRET, { text: 'health' }, { badSignature: true });
    expect(answer.status).toBe(401);
    const click = await fake.postSignedBlockAction(eventsUrl, SIGNING_SECRET, { value: 'health' }, { badSignature: true });
    expect(click.status).toBe(401);
    await settle();
    expect(fake.calls().filter((call) => call.method.startsWith('chat.'))).toEqual([]);
    expect(fake.responses()).toEqual([]);
  });

  it('rejects a timestamp older than 5 minutes with 401 and runs nothing', async () => {
    const { fake, eventsUrl } = harness;
    const sixMinutesAgo = unixSeconds() - 6 * 60;
    const answer = await fake.postSignedSlashCommand(eventsUrl, SIGNING_SECRET, { text: 'health' }, { timestamp: sixMinutesAgo });
    expect(answer.status).toBe(401);
    const click = await fake.postSignedBlockAction(eventsUrl, SIGNING_SECRET, { value: 'health' }, { timestamp: sixMinutesAgo });
    expect(click.status).toBe(401);
    await settle();
    expect(fake.calls().filter((call) => call.method.startsWith('chat.'))).toEqual([]);
    expect(fake.responses()).toEqual([]);
  });

  it('runs a signed button click whose value is help and answers the clicker only', async () => {
    const { fake, eventsUrl } = harness;
    const click = await fake.postSignedBlockAction(eventsUrl, SIGNING_SECRET, { action_id: 'maint-button-0', value: 'help' });
    expect(click.status).toBe(200);
    const answer = await fake.waitForResponse(click.responseUrlId);
    expect(answer).toMatchObject({ responseType: 'ephemeral', replaceOriginal: false });
    expect(blockTexts(answer.body.blocks)).toContain('maintbot commands');
    expect(fake.calls('chat.postMessage')).toEqual([]);
  });

  it('stops listening when stopped', async () => {
    const { chat, eventsUrl, fake } = harness;
    await chat.stop();
    expect(chat.connected()).toBe(false);
    await expect(fake.postSignedSlashCommand(eventsUrl, SIGNING_SECRET, { text: 'help' })).rejects.toThrow(/ECONNREFUSED/);
  });
});
