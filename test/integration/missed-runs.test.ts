import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { configSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging/logger.js';
import { startOwnRedis, type OwnRedis } from '../support/services.js';
import { TestChat } from '../support/test-chat.js';

const logger = createLogger({ level: 'silent', pretty: false });
const day = 86_400_000;
const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

let redis: OwnRedis;
let client: Redis;
let dir: string;
const running: App[] = [];

beforeAll(async () => {
  redis = await startOwnRedis();
  client = new Redis(redis.url);
  dir = await mkdtemp(join(tmpdir(), 'maintbot-missed-'));
});

afterAll(async () => {
  await Promise.all(running.map((app) => app.close()));
  client?.disconnect();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

const ops = [{ platform: 'console' as const, id: 'ops' }];

async function replica(workspace?: TestChat): Promise<{ app: App; chat: TestChat }> {
  const config = configSchema.parse({
    store: { redis_url: redis.url },
    audit: { file: join(dir, 'audit.jsonl') },
    schedules: [
      { name: 'tokyo-report', cron: '0 6 * * *', timezone: 'Asia/Tokyo', run: { report: 'morning' }, channels: ops },
      { name: 'claimed-report', cron: '0 6 * * *', timezone: 'UTC', run: { report: 'morning' }, channels: ops },
      { name: 'recent-report', cron: '0 6 * * *', timezone: 'UTC', run: { report: 'morning' }, channels: ops },
    ],
  });
  const app = await buildApp(config, logger);
  running.push(app);
  const chat = new TestChat(() => app.router, workspace);
  app.outbound.connect(chat.port);
  return { app, chat };
}

/** What a bot that ran `schedule` at `tick` left in the store. */
async function ranAt(schedule: string, tick: Date): Promise<void> {
  const lastRun = { tick: tick.toISOString(), owner: 'an earlier process', finishedAt: new Date(tick.getTime() + 2000).toISOString(), outcome: 'ok', summary: 'morning report ok' };
  await client.set(`maintbot:schedule:${schedule}:last`, JSON.stringify(lastRun));
}

/** The latest `hour`:00 UTC at least `marginMs` before now. */
function latestUtcHour(hour: number, marginMs = 5000): Date {
  const now = Date.now() - marginMs;
  const today = new Date(now);
  today.setUTCHours(hour, 0, 0, 0);
  return today.getTime() <= now ? today : new Date(today.getTime() - day);
}

const notices = (chat: TestChat) => [...chat.messages.values()].map((versions) => versions.at(-1)!).flatMap((message) => (message.kind === 'notice' ? [message.text] : []));

describe('a schedule missed while no bot ran', () => {
  it('is told once across replicas at start, with the missed time in the schedule’s zone; a claimed or recent one is not', async () => {
    const missed = latestUtcHour(21);
    const tokyo = new Date(missed.getTime() + 9 * 3_600_000);
    await ranAt('tokyo-report', new Date(missed.getTime() - 3 * day));
    const claimed = latestUtcHour(6);
    await ranAt('claimed-report', new Date(claimed.getTime() - 2 * day));
    await client.set(`maintbot:schedule:claimed-report:${claimed.toISOString()}`, JSON.stringify({ owner: 'a replica still running it' }));
    await ranAt('recent-report', latestUtcHour(6));

    const a = await replica();
    const b = await replica(a.chat);
    await Promise.all([a.app.scheduler.start(), b.app.scheduler.start()]);
    const expected = new RegExp(
      `^Schedule tokyo-report: missed run at ${weekdays[tokyo.getUTCDay()]} ${tokyo.toISOString().slice(0, 10)} 06:00 Asia/Tokyo — no maintbot process was running then\\. ` +
        `Last run: \\w{3} \\d{4}-\\d\\d-\\d\\d 06:00; next: \\w{3} \\d{4}-\\d\\d-\\d\\d 06:00\\. Run it now with /maint run tokyo-report\\.$`,
    );
    expect(notices(a.chat)).toEqual([expect.stringMatching(expected)]);

    await b.app.close();
    running.splice(running.indexOf(b.app), 1);
    const restarted = await replica(a.chat);
    await restarted.app.scheduler.start();
    expect((await restarted.app.scheduler.list()).map((status) => status.schedule.name)).toEqual(['tokyo-report', 'claimed-report', 'recent-report']);
    expect(notices(a.chat)).toHaveLength(1);
  }, 30_000);
});
