import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { configSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging/logger.js';
import { eventually, startOwnRedis, type OwnRedis } from '../support/services.js';
import { person, TestChat } from '../support/test-chat.js';

const logger = createLogger({ level: 'silent', pretty: false });
const olga = person('olga', ['operator']);
const windowMs = 15_000;

let redis: OwnRedis;
let dir: string;
const running: App[] = [];

beforeAll(async () => {
  redis = await startOwnRedis();
  dir = await mkdtemp(join(tmpdir(), 'maintbot-windows-'));
});

afterAll(async () => {
  await Promise.all(running.map((app) => app.close()));
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

/** One started bot process on the test's Redis with a window that opens every minute at `second`. */
async function replica(second: number, workspace?: TestChat): Promise<{ app: App; chat: TestChat }> {
  const config = configSchema.parse({
    store: { redis_url: redis.url },
    audit: { file: join(dir, 'audit.jsonl') },
    rate_limits: { enabled: false },
    health: { timeout_ms: 1000 },
    targets: {
      http: [
        { name: 'shop-api', url: 'http://127.0.0.1:1/health', labels: { host: 'db-host' } },
        { name: 'billing-api', url: 'http://127.0.0.1:2/health', labels: { host: 'other-host' } },
      ],
    },
    alerts: { hold_runs: 2 },
    schedules: [{ name: 'health-alerts', cron: '0 0 1 1 *', timezone: 'UTC', run: { alerts: 'health' }, channels: [{ platform: 'console', id: 'ops' }] }],
    maintenance_windows: [{ name: 'db-upgrade', cron: `${second} * * * * *`, timezone: 'UTC', duration: `${windowMs / 1000}s`, matchers: ['host=db-host'], channels: [{ platform: 'console', id: 'ops' }] }],
  });
  const app = await buildApp(config, logger);
  running.push(app);
  const chat = new TestChat(() => app.router, workspace);
  app.outbound.connect(chat.port);
  await app.scheduler.start();
  return { app, chat };
}

const texts = (chat: TestChat) => [...chat.messages.values()].map((versions) => versions.at(-1)!).map((message) => (message.kind === 'notice' ? message.text : message.title));

async function runHealth(chat: TestChat): Promise<string> {
  const { handles } = await chat.type(olga, 'run health-alerts');
  const summary = chat.latest(handles.at(-1)!);
  return summary.kind === 'notice' ? summary.text : summary.title;
}

describe('a maintenance window on two replicas', () => {
  it('is announced once when it starts and once when it ends, silences only what it matches meanwhile, and the held alert follows', async () => {
    const opensAt = new Date(Math.ceil((Date.now() + 4000) / 1000) * 1000);
    const second = opensAt.getUTCSeconds();
    const a = await replica(second);
    const b = await replica(second, a.chat);
    const endsAt = new Date(opensAt.getTime() + windowMs);
    const clock = endsAt.toISOString().slice(11, 16);
    const started = `Maintenance window db-upgrade started: alerts matching host=db-host are silenced until ${clock} (UTC).`;
    await eventually('the window to start', () => texts(a.chat).includes(started));

    expect(await runHealth(b.chat)).toMatch(/health crit, 0 notifications\.$/);
    expect(await runHealth(a.chat)).toMatch(/health crit, 1 notification\.$/);
    const c = await replica(second, a.chat);
    expect(await runHealth(c.chat)).toMatch(/health crit, 0 notifications\.$/);
    expect(texts(a.chat).filter((text) => /^CRIT/.test(text))).toEqual(['CRIT: billing-api (http) · reachable']);

    const ended = 'Maintenance window db-upgrade ended: alerts matching host=db-host are posted again; those still open follow on the next health run.';
    await eventually('the window to end', () => texts(a.chat).includes(ended), windowMs + 30_000);
    expect(Date.now()).toBeGreaterThanOrEqual(endsAt.getTime());
    expect(await runHealth(c.chat)).toMatch(/health crit, 1 notification\.$/);
    expect(texts(a.chat).filter((text) => /^CRIT/.test(text))).toEqual(['CRIT: billing-api (http) · reachable', 'CRIT: shop-api (http) · reachable']);
    expect(texts(a.chat).filter((text) => text.startsWith('Maintenance window'))).toEqual([started, ended]);
  }, 90_000);
});
