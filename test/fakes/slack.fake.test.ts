import type { AddressInfo } from 'node:net';
import { App, LogLevel, SocketModeReceiver, type BlockButtonAction, type Logger } from '@slack/bolt';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeSlack, unixSeconds, type FakeSlack } from './slack/index.js';

const BOT_TOKEN = 'xoxb-test';
const APP_TOKEN = 'xapp-test';
const SIGNING_SECRET = 'test-signing-secret';

interface Runs {
  commands: string[];
  clicks: string[];
}

/** A bare Bolt app: `/maint` acks, posts, then updates its post; `approve` updates the card and answers privately. */
function addMaintHandlers(app: App, runs: Runs): void {
  app.command('/maint', async ({ command, ack, client, respond }) => {
    runs.commands.push(command.text);
    if (command.text === 'helth') {
      await ack();
      await respond({ response_type: 'ephemeral', text: 'Unknown subcommand helth. Did you mean health?' });
      return;
    }
    await ack({ response_type: 'ephemeral', text: 'Working on it…' });
    const posted = await client.chat.postMessage({ channel: command.channel_id, text: `Running ${command.text}: step 1 of 2` });
    await client.chat.update({
      channel: command.channel_id,
      ts: posted.ts ?? '',
      text: `Finished ${command.text}`,
      blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*${command.text}* ok` } }],
    });
  });
  app.action<BlockButtonAction>('approve', async ({ ack, body, action, client, respond }) => {
    runs.clicks.push(action.value ?? '');
    await ack();
    await client.chat.update({
      channel: body.channel?.id ?? '',
      ts: body.message?.ts ?? '',
      text: `Approved by <@${body.user.id}>: ${action.value ?? ''}`,
    });
    await respond({ response_type: 'ephemeral', replace_original: false, text: 'You approved it.' });
  });
}

function newRuns(): Runs {
  return { commands: [], clicks: [] };
}

/** A Bolt logger that keeps warnings and errors (a dropped socket logs one) out of the test output. */
function capturingLogger(lines: string[] = []): Logger {
  let level = LogLevel.WARN;
  const keep = (...messages: unknown[]) => lines.push(messages.map(String).join(' '));
  return {
    debug: () => undefined,
    info: () => undefined,
    warn: keep,
    error: keep,
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

describe('fake Slack Web API', () => {
  let fake: FakeSlack;

  beforeAll(async () => {
    fake = await startFakeSlack({ users: { U0ALICE: { name: 'alice', is_admin: true } }, usergroups: { S0OPS: ['U0ALICE', 'U0BOB'] } });
  });
  afterAll(async () => {
    await fake.close();
  });
  beforeEach(() => fake.reset());

  async function call(method: string, body: Record<string, string>, token?: string): Promise<Record<string, unknown>> {
    const headers: Record<string, string> = { 'Content-Type': 'application/x-www-form-urlencoded' };
    if (token !== undefined) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(`${fake.apiUrl}${method}`, { method: 'POST', headers, body: new URLSearchParams(body) });
    return (await response.json()) as Record<string, unknown>;
  }

  it('rejects a missing or foreign token and records the token it saw', async () => {
    expect(await call('chat.postMessage', { channel: 'C1', text: 'hi' })).toEqual({ ok: false, error: 'not_authed' });
    expect(await call('chat.postMessage', { channel: 'C1', text: 'hi' }, 'xapp-wrong')).toEqual({ ok: false, error: 'invalid_auth' });
    expect(await call('apps.connections.open', {}, BOT_TOKEN)).toEqual({ ok: false, error: 'not_allowed_token_type' });
    expect(fake.calls().map((recorded) => recorded.token)).toEqual([undefined, 'xapp-wrong', BOT_TOKEN]);
  });

  it('hands out unique, increasing message timestamps and decodes form-encoded blocks', async () => {
    const blocks = [{ type: 'divider' }];
    const first = await call('chat.postMessage', { channel: 'C1', text: 'one', blocks: JSON.stringify(blocks) }, BOT_TOKEN);
    const second = await call('chat.postMessage', { channel: 'C1', text: 'two' }, BOT_TOKEN);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
    expect(fake.calls('chat.postMessage')[0]?.body.blocks).toEqual(blocks);
    expect(await call('chat.update', { channel: 'C1', ts: '1.000001', text: 'x' }, BOT_TOKEN)).toEqual({ ok: false, error: 'message_not_found' });
  });

  it('answers users.info and usergroups.users.list from its configuration, and any other method with ok', async () => {
    expect(await call('users.info', { user: 'U0ALICE' }, BOT_TOKEN)).toMatchObject({ ok: true, user: { id: 'U0ALICE', name: 'alice', is_admin: true } });
    expect(await call('users.info', { user: 'U0NOBODY' }, BOT_TOKEN)).toEqual({ ok: false, error: 'user_not_found' });
    expect(await call('usergroups.users.list', { usergroup: 'S0OPS' }, BOT_TOKEN)).toEqual({ ok: true, users: ['U0ALICE', 'U0BOB'] });
    expect(await call('reactions.add', { name: 'eyes' }, BOT_TOKEN)).toEqual({ ok: true });
    expect(fake.calls('reactions.add')).toHaveLength(1);
  });

  it('lets a test override a method and names what it did receive when a wait times out', async () => {
    fake.respondTo('chat.postMessage', () => ({ ok: false, error: 'channel_not_found' }));
    expect(await call('chat.postMessage', { channel: 'C9', text: 'hi' }, BOT_TOKEN)).toEqual({ ok: false, error: 'channel_not_found' });
    await expect(fake.waitForCall('chat.update', undefined, 50)).rejects.toThrow(/waiting for a chat.update call; received:\s+- chat.postMessage/);
  });
});

describe('bare Bolt App in Socket Mode against the fake', () => {
  let fake: FakeSlack;
  let app: App;
  const runs = newRuns();

  beforeAll(async () => {
    fake = await startFakeSlack();
    app = new App({
      token: BOT_TOKEN,
      appToken: APP_TOKEN,
      socketMode: true,
      logger: capturingLogger(),
      clientOptions: { slackApiUrl: fake.apiUrl },
    });
    addMaintHandlers(app, runs);
    await app.start();
  });
  afterAll(async () => {
    await app.stop();
    await fake.close();
  });

  it('connects with the app token after hello and checks the bot token with auth.test', async () => {
    expect(fake.connectionCount()).toBe(1);
    expect(fake.calls('apps.connections.open')[0]?.token).toBe(APP_TOKEN);
    const authTest = await fake.waitForCall('auth.test');
    expect(authTest.token).toBe(BOT_TOKEN);
  });

  it('acks /maint fast, then posts and updates that same message', async () => {
    const delivered = await fake.sendSlashCommand({ text: 'health', channel_id: 'C0OPS', user_id: 'U0ALICE' });
    expect(delivered.ackMs).toBeLessThan(500);
    expect(delivered.ack).toEqual({ envelope_id: delivered.envelopeId, payload: { response_type: 'ephemeral', text: 'Working on it…' } });

    const post = await fake.waitForCall('chat.postMessage', (recorded) => recorded.body.text === 'Running health: step 1 of 2');
    expect(post.token).toBe(BOT_TOKEN);
    const update = await fake.waitForCall('chat.update', (recorded) => recorded.body.ts === post.response.ts);
    expect(update.body.blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: '*health* ok' } }]);
    expect(update.at).toBeGreaterThanOrEqual(post.at);
    expect(fake.messages('C0OPS')).toEqual([
      expect.objectContaining({ ts: post.response.ts, text: 'Finished health', updates: 1 }),
    ]);
  });

  it('records an ephemeral reply on the response_url and nothing in the channel', async () => {
    const before = fake.calls('chat.postMessage').length;
    const delivered = await fake.sendSlashCommand({ text: 'helth' });
    const reply = await fake.waitForResponse(delivered.responseUrlId);
    expect(reply).toMatchObject({ responseType: 'ephemeral', body: { text: 'Unknown subcommand helth. Did you mean health?' } });
    expect(fake.calls('chat.postMessage')).toHaveLength(before);
  });

  it('delivers a button click that updates the card and answers the clicker privately', async () => {
    const delivered = await fake.sendBlockAction({ action_id: 'approve', value: 'restart api', user_id: 'U0BOB', message_text: 'Approve restart?' });
    expect(delivered.ack.envelope_id).toBe(delivered.envelopeId);
    const cardTs = (delivered.payload.message as { ts: string }).ts;
    const update = await fake.waitForCall('chat.update', (recorded) => recorded.body.ts === cardTs);
    expect(update.body).toMatchObject({ channel: 'C0OPS', text: 'Approved by <@U0BOB>: restart api' });
    const reply = await fake.waitForResponse(delivered.responseUrlId);
    expect(reply).toMatchObject({ responseType: 'ephemeral', replaceOriginal: false });
    expect(runs.clicks).toEqual(['restart api']);
  });
});

describe('Bolt Socket Mode reconnects through the fake', () => {
  let fake: FakeSlack;
  let app: App;
  const runs = newRuns();
  const socketLog: string[] = [];

  beforeAll(async () => {
    fake = await startFakeSlack();
    const clientOptions = { slackApiUrl: fake.apiUrl };
    const logger = capturingLogger(socketLog);
    const receiver = new SocketModeReceiver({ appToken: APP_TOKEN, logger, clientPingTimeout: 1000, installerOptions: { clientOptions } });
    app = new App({ token: BOT_TOKEN, socketMode: true, receiver, logger, clientOptions });
    addMaintHandlers(app, runs);
    await app.start();
  });
  afterAll(async () => {
    await app.stop();
    await fake.close();
  });

  async function expectAnswered(text: string): Promise<void> {
    const delivered = await fake.sendSlashCommand({ text });
    expect(delivered.ackMs).toBeLessThan(500);
    await fake.waitForCall('chat.update', (recorded) => recorded.body.text === `Finished ${text}`);
  }

  it('answers the next command after a disconnect message', async () => {
    fake.disconnect('refresh_requested');
    await fake.waitForConnections(2);
    expect(fake.openConnectionCount()).toBe(1);
    await expectAnswered('after-disconnect');
  });

  it('answers the next command after the socket is dropped', async () => {
    const before = fake.connectionCount();
    await fake.dropSocket();
    expect(fake.openConnectionCount()).toBe(0);
    await fake.waitForConnections(before + 1);
    await expectAnswered('after-drop');
    expect(runs.commands).toEqual(['after-disconnect', 'after-drop']);
    expect(socketLog.join('\n')).toContain('WebSocket error');
  });
});

describe('bare Bolt App in HTTP mode against the fake', () => {
  let fake: FakeSlack;
  let app: App;
  let eventsUrl: string;
  const runs = newRuns();

  beforeAll(async () => {
    fake = await startFakeSlack();
    app = new App({ token: BOT_TOKEN, signingSecret: SIGNING_SECRET, logger: capturingLogger(), clientOptions: { slackApiUrl: fake.apiUrl } });
    addMaintHandlers(app, runs);
    const server = await app.start({ port: 0, host: '127.0.0.1' });
    eventsUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/slack/events`;
  });
  afterAll(async () => {
    await app.stop();
    await fake.close();
  });
  afterEach(() => {
    runs.commands.length = 0;
    runs.clicks.length = 0;
  });

  it('runs a signed slash command and answers 200 with the ack', async () => {
    const answer = await fake.postSignedSlashCommand(eventsUrl, SIGNING_SECRET, { text: 'health' });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ response_type: 'ephemeral', text: 'Working on it…' });
    expect(answer.latencyMs).toBeLessThan(500);
    await fake.waitForCall('chat.update', (recorded) => recorded.body.text === 'Finished health');
    expect(runs.commands).toEqual(['health']);
  });

  it('runs a signed block action', async () => {
    const answer = await fake.postSignedBlockAction(eventsUrl, SIGNING_SECRET, { action_id: 'approve', value: 'vacuum orders' });
    expect(answer.status).toBe(200);
    await fake.waitForCall('chat.update', (recorded) => recorded.body.text === 'Approved by <@U0ALICE>: vacuum orders');
    expect(runs.clicks).toEqual(['vacuum orders']);
  });

  it('rejects a bad signature with 401 and runs nothing', async () => {
    const answer = await fake.postSignedSlashCommand(eventsUrl, SIGNING_SECRET, { text: 'restart api' }, { badSignature: true });
    expect(answer.status).toBe(401);
    expect(runs.commands).toEqual([]);
  });

  it('rejects a timestamp older than 5 minutes with 401 and runs nothing', async () => {
    const sixMinutesAgo = unixSeconds() - 6 * 60;
    const answer = await fake.postSignedSlashCommand(eventsUrl, SIGNING_SECRET, { text: 'restart api' }, { timestamp: sixMinutesAgo });
    expect(answer.status).toBe(401);
    const blockAnswer = await fake.postSignedBlockAction(eventsUrl, SIGNING_SECRET, { action_id: 'approve' }, { timestamp: sixMinutesAgo });
    expect(blockAnswer.status).toBe(401);
    expect(runs).toEqual({ commands: [], clicks: [] });
    expect(fake.calls('chat.postMessage').filter((recorded) => recorded.body.text === 'Running restart api: step 1 of 2')).toEqual([]);
  });
});
