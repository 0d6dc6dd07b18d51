import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { configSchema } from '../../src/config/schema.js';
import type { Message } from '../../src/core/report.js';
import { createLogger } from '../../src/logging/logger.js';
import { person, TestChat } from '../support/test-chat.js';

const redisUrl = 'redis://127.0.0.1:6379';
const prefix = `maintbot-schedule-commands-${process.pid}-${Date.now()}:`;
const logger = createLogger({ level: 'silent', pretty: false });
const olga = person('olga', ['operator']);
const victor = person('victor', ['viewer']);

let app: App;
let chat: TestChat;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'maintbot-schedule-commands-'));
  const config = configSchema.parse({
    store: { redis_url: redisUrl, key_prefix: prefix },
    audit: { file: join(dir, 'audit.jsonl') },
    health: { timeout_ms: 1000 },
    targets: { http: [{ name: 'shop-api', url: 'http://127.0.0.1:1/health' }] },
    alerts: { hold_runs: 2 },
    schedules: [
      { name: 'health-alerts', cron: '*/5 * * * *', timezone: 'Europe/Berlin', run: { alerts: 'health' }, channels: [{ platform: 'console', id: 'ops' }] },
      { name: 'nightly-vacuum', cron: '0 3 * * *', run: { runbook: 'no-such-runbook' }, channels: [] },
    ],
  });
  app = await buildApp(config, logger);
  chat = new TestChat(() => app.router);
  app.outbound.connect(chat.port);
});

afterAll(async () => {
  await app?.close();
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
});

const texts = (messages: Message[]) => messages.map((message) => (message.kind === 'notice' ? `${message.text}\n${message.preformatted ?? ''}` : message.title));
const channelMessages = () => [...chat.messages.entries()].map(([id, versions]) => ({ id, latest: versions.at(-1)! }));

describe('schedules, run, ack and snooze in chat', () => {
  it('lists the schedules with their next run in their time zone, and why one does not run', async () => {
    await chat.type(victor, 'schedules');
    const [listing] = texts(chat.privateAnswers.get('victor') ?? []);
    expect(listing).toMatch(/health-alerts\s+\*\/5 \* \* \* \*\s+next \w{3} \d{4}-\d\d-\d\d \d\d:\d[05] Europe\/Berlin/);
    expect(listing).toContain("nightly-vacuum  0 3 * * *      not running: runbook 'no-such-runbook' is not installed");
  });

  it('lets only operators run a schedule now; two runs of a dead endpoint raise one alert, which an operator acks', async () => {
    expect((await chat.type(victor, 'run health-alerts')).outcome).toBe('denied');
    await chat.type(olga, 'run health-alerts');
    expect(channelMessages().filter(({ latest }) => latest.kind === 'report')).toEqual([]);
    await chat.type(olga, 'run health-alerts');
    const alerts = channelMessages().filter(({ latest }) => latest.kind === 'report');
    expect(alerts.map(({ latest }) => (latest.kind === 'report' ? latest.title : ''))).toEqual(['CRIT: shop-api (http) · reachable']);
    const alert = alerts[0]!;

    expect(await chat.click(olga, { platform: 'console', id: alert.id }, 'Ack')).toBe('ok');
    const acked = chat.latest({ platform: 'console', id: alert.id });
    expect(acked.kind === 'report' && acked.summary).toMatch(/^Acked by olga/);
    expect(acked.kind === 'report' && acked.sections[0]?.lines[0]).toMatchObject({ label: 'reachable', status: 'crit' });
    expect(chat.privateTexts(olga).at(-1)).toMatch(/^You acked alert \w+ \(shop-api \(http\) · reachable\)/);
    expect(texts(channelMessages().map(({ latest }) => latest)).some((text) => /acked alert/.test(text))).toBe(false);

    await chat.type(olga, 'run health-alerts');
    expect(channelMessages().filter(({ latest }) => latest.kind === 'report')).toHaveLength(1);
    await chat.type(olga, 'snooze nope');
    expect(texts(chat.privateAnswers.get('olga') ?? []).at(-1)).toContain('There is no alert nope.');
  });
});
