import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SlackBlock } from '../../src/chat/slack/blocks.js';
import { statusEmoji } from '../../src/chat/slack/blocks.js';
import { startSlackChat } from '../../src/chat/slack/slack-chat.js';
import { createLogger } from '../../src/logging/logger.js';
import { accessFor } from '../../src/access/roles.js';
import { slackChat } from '../../src/chat/slack/index.js';
import { unixSeconds, type RecordedCall } from '../fakes/slack/index.js';
import { blockTexts, command, SIGNING_SECRET, startSlackHarness, type SlackHarness, privateAnswer } from './slack-harness.js';

describe('Slack adapter in HTTP mode, through the real Bolt against the fake Slack', () => {
  let harness: SlackHarness;

  beforeAll(async () => {
    harness = await startSlackHarness('http');
  });
  afterAll(async () => {
    await harness.close();
  });
  beforeEach(() => harness.reset());

  const isReport = (call: RecordedCall): boolean => (call.body.blocks as SlackBlock[] | undefined)?.[0]?.type === 'header';

  /** Sends a signed `helth` and waits until it is handled: whatever an earlier request could have run has shown by then. */
  async function sentinel(): Promise<void> {
    const answer = await harness.fake.postSignedSlashCommand(harness.eventsUrl, SIGNING_SECRET, { text: 'helth' });
    expect(answer.status).toBe(200);
    await harness.commands.waitForFinished(command('helth'));
  }

  it('listens on the bound port and acks /maint health at once with an empty answer, then updates its channel message into the report', async () => {
    const { fake, chat, commands, eventsUrl } = harness;
    expect(chat.httpPort).toBeGreaterThan(0);
    expect(chat.connected()).toBe(true);
    const answer = await fake.postSignedSlashCommand(eventsUrl, SIGNING_SECRET, { text: 'health', user_name: 'alice' });
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('');

    const post = await fake.waitForCall('chat.postMessage');
    expect(post.body.text).toEqual(expect.stringContaining('health: step 1 of 1'));
    const final = await fake.waitForCall('chat.update', (call) => call.body.ts === post.response.ts && isReport(call));
    await commands.waitForFinished(command('health'));
    expect((final.body.blocks as SlackBlock[])[0]).toMatchObject({ text: { text: `${statusEmoji('ok')} Health` } });
    expect(blockTexts(final.body.blocks)).toContain(`${statusEmoji('ok')} 2 targets ok: local-postgres (postgres), local-redis (redis)`);
    expect(blockTexts(final.body.blocks)).toContain('2 targets ok');
  });

  it('acks a misspelt subcommand with an empty HTTP response, answers it privately, and posts nothing in the channel', async () => {
    const { fake, commands, eventsUrl } = harness;
    const answer = await fake.postSignedSlashCommand(eventsUrl, SIGNING_SECRET, { text: 'helth' });
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('');
    expect(await privateAnswer(fake, answer)).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining("Did you mean 'health'?") });
    await commands.waitForFinished(command('helth'));
    expect(fake.calls('chat.postMessage')).toEqual([]);
  });

  it('denies an operator command to a viewer privately', async () => {
    const { fake, commands, eventsUrl } = harness;
    const answer = await fake.postSignedSlashCommand(eventsUrl, SIGNING_SECRET, { text: 'deep-check', user_id: 'U0ALICE' });
    expect(await privateAnswer(fake, answer)).toMatchObject({ response_type: 'ephemeral', text: expect.stringContaining('needs the role operator') });
    await commands.waitForFinished(command('deep-check', 'U0ALICE'));
    expect(fake.calls('chat.postMessage')).toEqual([]);
  });

  it('rejects a bad signature with 401 and runs nothing', async () => {
    const { fake, commands, eventsUrl } = harness;
    const answer = await fake.postSignedSlashCommand(eventsUrl, SIGNING_SECRET, { text: 'health' }, { badSignature: true });
    expect(answer.status).toBe(401);
    const click = await fake.postSignedBlockAction(eventsUrl, SIGNING_SECRET, { value: 'health' }, { badSignature: true });
    expect(click.status).toBe(401);
    await sentinel();
    expect(commands.begun().map((invocation) => invocation.text)).toEqual(['helth']);
    expect(fake.calls().filter((call) => call.method.startsWith('chat.'))).toEqual([]);
    expect(fake.responses().map((post) => post.body.text)).toEqual([expect.stringContaining("Unknown command 'helth'")]);
  });

  it('rejects a timestamp older than 5 minutes with 401 and runs nothing', async () => {
    const { fake, commands, eventsUrl } = harness;
    const sixMinutesAgo = unixSeconds() - 6 * 60;
    const answer = await fake.postSignedSlashCommand(eventsUrl, SIGNING_SECRET, { text: 'health' }, { timestamp: sixMinutesAgo });
    expect(answer.status).toBe(401);
    const click = await fake.postSignedBlockAction(eventsUrl, SIGNING_SECRET, { value: 'health' }, { timestamp: sixMinutesAgo });
    expect(click.status).toBe(401);
    await sentinel();
    expect(commands.begun().map((invocation) => invocation.text)).toEqual(['helth']);
    expect(fake.calls().filter((call) => call.method.startsWith('chat.'))).toEqual([]);
    expect(fake.responses().map((post) => post.body.text)).toEqual([expect.stringContaining("Unknown command 'helth'")]);
  });

  it('runs a signed button click whose value is help and answers the clicker only', async () => {
    const { fake, commands, eventsUrl } = harness;
    const click = await fake.postSignedBlockAction(eventsUrl, SIGNING_SECRET, { action_id: 'maint-button-0', value: 'help' });
    expect(click.status).toBe(200);
    const answer = await fake.waitForResponse(click.responseUrlId);
    expect(answer).toMatchObject({ responseType: 'ephemeral', replaceOriginal: false });
    expect(blockTexts(answer.body.blocks)).toContain('maintbot commands');
    await commands.waitForFinished(command('help'));
    expect(fake.calls('chat.postMessage')).toEqual([]);
  });

  it('stops listening when stopped', async () => {
    const { config, fake } = harness;
    const idle = { handle: async () => undefined };
    const logger = createLogger({ level: 'silent', pretty: false });
    const chat = await startSlackChat({ handler: idle, settings: config.chat.slack, access: accessFor(slackChat, config.access), logger, httpHost: '127.0.0.1' });
    const eventsUrl = `http://127.0.0.1:${chat.httpPort ?? 0}/slack/events`;
    expect((await fake.postSignedSlashCommand(eventsUrl, SIGNING_SECRET, { text: 'help' })).status).toBe(200);
    await chat.stop();
    expect(chat.connected()).toBe(false);
    await expect(fake.postSignedSlashCommand(eventsUrl, SIGNING_SECRET, { text: 'help' })).rejects.toThrow(/ECONNREFUSED/);
  });
});
