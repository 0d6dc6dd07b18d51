import { afterEach, describe, expect, it } from 'vitest';
import { accessFor } from '../../src/access/roles.js';
import { slackChat } from '../../src/chat/slack/index.js';
import { startSlackChat, type RunningSlackChat } from '../../src/chat/slack/slack-chat.js';
import { configSchema } from '../../src/config/schema.js';
import { UserError } from '../../src/core/errors.js';
import { notice } from '../../src/core/report.js';
import type { Responder } from '../../src/core/responder.js';
import { createLogger } from '../../src/logging/logger.js';
import { startFakeSlack, type FakeSlack, type FakeSlackOptions } from '../fakes/slack/index.js';
import { eventually } from '../support/services.js';

const logger = createLogger({ level: 'silent', pretty: false });
const access = accessFor(slackChat, configSchema.parse({}).access);

function slackSettings(extra: Record<string, unknown>) {
  return configSchema.parse({ chat: { slack: { port: 0, ...extra } } }).chat.slack;
}

describe('starting the Slack adapter', () => {
  const running: RunningSlackChat[] = [];
  const fakes: FakeSlack[] = [];
  afterEach(async () => {
    for (const chat of running.splice(0)) await chat.stop();
    for (const fake of fakes.splice(0)) await fake.close();
  });

  async function fakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
    const fake = await startFakeSlack(options);
    fakes.push(fake);
    return fake;
  }

  const idle = { handle: async () => undefined };

  it('names the missing variable when Socket Mode has no app token, without touching Slack', async () => {
    const fake = await fakeSlack();
    const start = startSlackChat({ handler: idle, settings: slackSettings({ bot_token: 'xoxb-1', api_url: fake.apiUrl }), access, logger });
    await expect(start).rejects.toThrow(new UserError('Slack: SLACK_APP_TOKEN is needed for Socket Mode (or set chat.slack.mode: http with SLACK_SIGNING_SECRET).'));
    expect(fake.calls()).toEqual([]);
  });

  it('names the missing signing secret in HTTP mode and the missing bot token in any mode', async () => {
    await expect(startSlackChat({ handler: idle, settings: slackSettings({ mode: 'http', bot_token: 'xoxb-1' }), access, logger })).rejects.toThrow(
      /SLACK_SIGNING_SECRET is needed for HTTP mode/,
    );
    await expect(startSlackChat({ handler: idle, settings: slackSettings({ app_token: 'xapp-1' }), access, logger })).rejects.toThrow(/SLACK_BOT_TOKEN is needed/);
  });

  it('reports a bot token refused by auth.test as a user error with the reason', async () => {
    const fake = await fakeSlack();
    fake.respondTo('auth.test', () => ({ ok: false, error: 'invalid_auth' }));
    const start = startSlackChat({ handler: idle, settings: slackSettings({ bot_token: 'xoxb-bad', app_token: 'xapp-1', api_url: fake.apiUrl }), access, logger });
    await expect(start).rejects.toBeInstanceOf(UserError);
    await expect(start).rejects.toThrow('Slack: auth.test refused SLACK_BOT_TOKEN (invalid_auth).');
    expect(fake.calls('apps.connections.open')).toEqual([]);
  });

  it('reports an unreachable Slack API with its address', async () => {
    const fake = await fakeSlack();
    const apiUrl = fake.apiUrl;
    await fakes.pop()!.close();
    const start = startSlackChat({ handler: idle, settings: slackSettings({ bot_token: 'xoxb-1', app_token: 'xapp-1', api_url: apiUrl }), access, logger });
    await expect(start).rejects.toThrow(`Slack: cannot reach the Slack API at ${apiUrl} (ECONNREFUSED)`);
  });

  it('acks a command at once, tells the requester "Working on it…" after about a second while it still runs, then answers through the response_url', async () => {
    const fake = await fakeSlack({ ackTimeoutMs: 20_000 });
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    const slow = {
      handle: async (_invocation: unknown, responder: Responder) => {
        await released;
        await responder.replyPrivately(notice('info', 'done at last'));
      },
    };
    const chat = await startSlackChat({ handler: slow, settings: slackSettings({ bot_token: 'xoxb-1', app_token: 'xapp-1', api_url: fake.apiUrl }), access, logger });
    running.push(chat);
    const sentAt = Date.now();
    const delivered = await fake.sendSlashCommand({ text: 'slow' });
    expect(delivered.ack.payload ?? {}).toEqual({});
    const working = await fake.waitForResponse(delivered.responseUrlId);
    release();
    expect(working.at - sentAt).toBeGreaterThanOrEqual(900);
    expect(working).toMatchObject({ responseType: 'ephemeral', body: { text: 'Working on it…' } });
    const answer = await fake.waitForResponse(delivered.responseUrlId, (post) => post.seq > working.seq);
    expect(answer).toMatchObject({ responseType: 'ephemeral', body: { text: 'done at last' } });
  });

  it('closes the socket on stop, so the fake sees no open connection', async () => {
    const fake = await fakeSlack();
    const chat = await startSlackChat({ handler: idle, settings: slackSettings({ bot_token: 'xoxb-1', app_token: 'xapp-1', api_url: fake.apiUrl }), access, logger });
    expect(chat.connected()).toBe(true);
    await chat.stop();
    expect(chat.connected()).toBe(false);
    await eventually('the fake to see the socket closed', () => fake.openConnectionCount() === 0, 20_000);
  });
});
