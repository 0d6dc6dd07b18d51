import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/memory-store.js';
import { RedisStore } from '../../src/store/redis-store.js';
import type { Store } from '../../src/store/store.js';
import { eventually } from '../support/services.js';

const redisUrl = 'redis://127.0.0.1:6379';
const prefix = `maintbot-store-test-${process.pid}-${Date.now()}:`;
const opened: Store[] = [];

afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

async function redisPair(): Promise<[Store, Store]> {
  const a = await RedisStore.connect(redisUrl, { prefix });
  const b = await RedisStore.connect(redisUrl, { prefix });
  opened.push(a, b);
  return [a, b];
}

const kinds: [string, () => Promise<[Store, Store]>][] = [
  ['redis, two connections as two bot processes', redisPair],
  ['memory', async () => {
    const store = new MemoryStore();
    return [store, store];
  }],
];

describe.each(kinds)('store: %s', (_name, open) => {
  it('applies 50 concurrent read-modify-writes from two processes without losing one', async () => {
    const [a, b] = await open();
    const key = `counter-${Math.random()}`;
    await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        (index % 2 ? a : b).update<number, void>(key, (current) => ({ value: (current ?? 0) + 1, result: undefined })),
      ),
    );
    expect(await a.get<number>(key)).toBe(50);
  });

  it('counts concurrent increments from two processes once each, in a counter that expires with its first window', async () => {
    const [a, b] = await open();
    const key = `window-${Math.random()}`;
    expect(await a.increment(key, 1, 300)).toBe(1);
    const counts = await Promise.all(Array.from({ length: 49 }, (_, index) => (index % 2 ? a : b).increment(key, 1, 60_000)));
    expect([...counts].sort((x, y) => x - y)).toEqual(Array.from({ length: 49 }, (_, index) => index + 2));
    expect(await a.increment(key, -1, 60_000)).toBe(49);
    await eventually('the window counter to expire', async () => (await b.get<number>(key)) === undefined);
    expect(await b.increment(key, 1, 60_000)).toBe(1);
  });

  it('lets exactly one of many concurrent callers win a state transition', async () => {
    const [a, b] = await open();
    const key = `claim-${Math.random()}`;
    await a.set(key, { status: 'pending' });
    const wins = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        (index % 2 ? a : b).update<{ status: string; by?: number }, boolean>(key, (current) =>
          current?.status === 'pending' ? { value: { status: 'taken', by: index }, result: true } : { value: current, result: false },
        ),
      ),
    );
    expect(wins.filter(Boolean)).toHaveLength(1);
    expect((await b.get<{ by: number }>(key))?.by).toBe(wins.indexOf(true));
  });

  it('refuses a held lock with its holder, and fences a stale token', async () => {
    const [a, b] = await open();
    const key = `lock-${Math.random()}`;
    const first = await a.acquireLock(key, { description: 'vacuum by alice', since: 1000 }, 10_000);
    expect(first.acquired).toBe(true);
    expect(await b.acquireLock(key, { description: 'restart by bob', since: 2000 }, 10_000)).toEqual({ acquired: false, holder: { description: 'vacuum by alice', since: 1000 } });
    if (!first.acquired) throw new Error('unreachable');
    await b.releaseLock(key, first.token + 1000);
    expect((await b.acquireLock(key, { description: 'x', since: 0 }, 10_000)).acquired).toBe(false);
    await a.releaseLock(key, first.token);
    const second = await b.acquireLock(key, { description: 'restart by bob', since: 2000 }, 10_000);
    expect(second.acquired && second.token > first.token).toBe(true);
    expect(await a.renewLock(key, first.token, 10_000)).toBe(false);
  });

  it('lets a lease lapse so a dead holder does not block forever', async () => {
    const [a, b] = await open();
    const key = `lease-${Math.random()}`;
    expect((await a.acquireLock(key, { description: 'crashed', since: 0 }, 100)).acquired).toBe(true);
    await eventually('the lease to lapse', async () => (await b.acquireLock(key, { description: 'next', since: 0 }, 1000)).acquired, 20_000);
  });

  it('creates only when absent, expires values, and lists keys by prefix', async () => {
    const [a, b] = await open();
    const key = `create-${Math.random()}`;
    expect(await a.create(key, 1, 60_000)).toBe(true);
    expect(await b.create(key, 2, 60_000)).toBe(false);
    expect(await b.keys('create-')).toContain(key);
    const brief = `create-brief-${Math.random()}`;
    expect(await a.create(brief, 1, 100)).toBe(true);
    await eventually('the value to expire', async () => (await a.get(brief)) === undefined, 20_000);
    expect(await b.keys('create-')).not.toContain(brief);
    expect(await b.create(brief, 2, 60_000)).toBe(true);
  });
});

describe('RedisStore', () => {
  it('says clearly when Redis cannot be reached, without the password', async () => {
    await expect(RedisStore.connect('redis://user:hunter2@127.0.0.1:1')).rejects.toThrowError(/Redis store not reachable at redis:\/\/user:\*\*\*@127\.0\.0\.1:1/);
  });
});
