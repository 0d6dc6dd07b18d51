import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { configSchema } from '../../src/config/schema.js';
import type { Message, Notice, Report } from '../../src/core/report.js';
import { createLogger } from '../../src/logging/logger.js';
import { renderText } from '../../src/render/text.js';
import { redisMemoryAction } from '../../src/systems/redis/memory.js';
import { redisTargetSchema } from '../../src/systems/redis/probe.js';
import { actionContext } from '../support/action-context.js';
import { MemoryAudit } from '../support/memory-audit.js';
import { startOwnRedis, type OwnRedis } from '../support/services.js';
import { person, TestChat } from '../support/test-chat.js';

const alice = person('alice', ['operator']);
const bob = person('bob', ['operator']);
const vera = person('vera', ['viewer']);

let server: OwnRedis;
let redis: Redis;
let app: App;
let chat: TestChat;

async function countMatching(client: Redis, pattern: string): Promise<number> {
  let cursor = '0';
  let count = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    count += keys.length;
  } while (cursor !== '0');
  return count;
}

async function fill(client: Redis): Promise<void> {
  const pipeline = client.pipeline();
  for (let index = 0; index < 30; index++) pipeline.set(`session:${randomUUID()}`, 's'.repeat(50));
  for (let index = 0; index < 20; index++) pipeline.set(`user:${1000 + index}:profile`, 'p'.repeat(4000));
  for (let index = 0; index < 10; index++) pipeline.set(`cache:page:${index}`, 'c'.repeat(200));
  await pipeline.exec();
}

function asNotice(message: Message): Notice {
  if (message.kind !== 'notice') throw new Error(`expected a notice, got the report "${message.title}"`);
  return message;
}

function asReport(message: Message): Report {
  if (message.kind !== 'report') throw new Error(`expected a report, got: ${message.text}`);
  return message;
}

beforeAll(async () => {
  server = await startOwnRedis(['--slowlog-log-slower-than', '0', '--slowlog-max-len', '1000']);
  redis = new Redis(server.url);
  await fill(redis);
  const config = configSchema.parse({ targets: { redis: [{ name: 'cache', url: server.url }] } });
  app = await buildApp(config, createLogger({ level: 'silent', pretty: false }), { audit: new MemoryAudit() });
  chat = new TestChat(() => app.router);
});

afterAll(async () => {
  await app?.close();
  redis?.disconnect();
  await server?.stop();
});

describe('/maint redis-slowlog', () => {
  it('lists the newest slow commands with when, how long, the client and the command cut and masked', async () => {
    await redis.set('note', 'password=hunter2');
    await redis.set('long-value', 'v'.repeat(100));
    const { handles } = await chat.type(vera, '/maint redis-slowlog cache');
    const answer = asNotice(chat.latest(handles[0]!));
    expect(answer.text).toMatch(/^The 10 newest of \d+ slow-log entries of Redis target cache \(commands slower than 0 ms are logged\)/);
    const rows = answer.preformatted!.split('\n');
    expect(rows[0]).toMatch(/^when \(UTC\)\s+took\s+client\s+command$/);
    expect(rows).toHaveLength(11);
    expect(answer.preformatted).toContain('SET note password=***');
    expect(answer.preformatted).toContain(`SET long-value ${'v'.repeat(31)}…`);
    expect(answer.preformatted).not.toContain('hunter2');
    expect(answer.preformatted).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} {2}\d+ µs\s+127\.0\.0\.1:\d+/);
  });
});

describe('/maint redis-memory', () => {
  it('shows INFO memory, MEMORY DOCTOR and the biggest key patterns with ids normalised', async () => {
    const { handles } = await chat.type(vera, '/maint redis-memory cache');
    const answer = asNotice(chat.latest(handles[0]!));
    expect(answer.text).toMatch(/used [\d.]+ [KM]iB, no maxmemory set; peak/);
    expect(answer.text).toContain('MEMORY DOCTOR: ');
    expect(answer.text).toMatch(/Biggest key patterns \(ids as \*\), from all \d+ keys/);
    const rows = answer.preformatted!.split('\n');
    expect(rows[1]).toMatch(/^user:\*:profile\s+20\s/);
    expect(answer.preformatted).toMatch(/^session:\*\s+30\s/m);
    expect(answer.preformatted).toMatch(/^cache:page:\*\s+10\s/m);
  });

  it('samples within its key budget and says the shares are of the sample', async () => {
    const action = redisMemoryAction([redisTargetSchema.parse({ name: 'cache', url: server.url })]);
    const { output, message } = await action.run(action.inputs.parse({ sample_keys: 10 }), actionContext());
    expect(output).toMatchObject({ sampled_keys: 10, total_keys: await redis.dbsize() });
    expect(asNotice(message!).text).toContain(`from a sample of 10 of ${await redis.dbsize()} keys (the budget ran out; shares are of the sample)`);
  });
});

describe('/maint flush-cache', () => {
  it('shows how many keys match, deletes nothing before approval, then only the keys of the pattern', async () => {
    const before = await redis.dbsize();
    const { handles, outcome } = await chat.type(alice, '/maint flush-cache cache --pattern "session:*"');
    expect(outcome).toBe('pending-approval');
    const card = asReport(chat.latest(handles[0]!));
    expect(card.title).toBe('Approval needed: flush-cache');
    expect(renderText(card)).toContain('delete the 30 keys matching "session:*" in db 0 of Redis target cache');
    expect(await countMatching(redis, 'session:*')).toBe(30);

    await chat.click(alice, handles[0]!, 'Approve');
    expect(chat.privateTexts(alice).at(-1)).toMatch(/four-eyes rule/);
    expect(await countMatching(redis, 'session:*')).toBe(30);

    expect(await chat.click(bob, handles[0]!, 'Approve')).toBe('ok');
    expect(await countMatching(redis, 'session:*')).toBe(0);
    expect(await redis.dbsize()).toBe(before - 30);
    expect(await countMatching(redis, 'user:*:profile')).toBe(20);
    expect(renderText(chat.latest(handles[0]!))).toContain('Deleted 30 keys matching "session:*" in db 0 of Redis target cache (30 matched when approved)');
  });

  it('empties one database with FLUSHDB ASYNC after approval and leaves the others', async () => {
    const db2 = new Redis(`${server.url}/2`);
    await db2.mset('a', '1', 'b', '2', 'c', '3');
    const keysInDb0 = await redis.dbsize();
    const { handles } = await chat.type(alice, '/maint flush-cache cache --db 2');
    expect(renderText(chat.latest(handles[0]!))).toContain('flush db 2 of Redis target cache: all 3 keys');
    expect(await db2.dbsize()).toBe(3);
    await chat.click(bob, handles[0]!, 'Approve');
    expect(await db2.dbsize()).toBe(0);
    expect(await redis.dbsize()).toBe(keysInDb0);
    db2.disconnect();
  });

  it('refuses privately when no key matches, before any card', async () => {
    const { outcome, handles } = await chat.type(alice, '/maint flush-cache cache --pattern "nothing:*"');
    expect(outcome).toBe('refused');
    expect(handles).toHaveLength(0);
    expect(chat.privateTexts(alice).at(-1)).toMatch(/^No key in db 0 of Redis target cache matches "nothing:\*"; there is nothing to flush\. \(\d+ keys in that db\.\)$/);
  });
});

describe('/maint bgsave', () => {
  it('saves in the background and reports LASTSAVE before and after', async () => {
    const previous = await redis.lastsave();
    const { handles, outcome } = await chat.type(alice, '/maint bgsave cache');
    expect(outcome).toBe('ok');
    const text = renderText(chat.latest(handles[0]!));
    expect(text).toMatch(/^Saved Redis target cache in the background in \d+ ms|^Saved Redis target cache in the background in [\d.]+ s/);
    expect(await redis.lastsave()).toBeGreaterThanOrEqual(previous);
    expect((await redis.info('persistence')).match(/rdb_last_bgsave_status:(\w+)/)?.[1]).toBe('ok');
  });
});
