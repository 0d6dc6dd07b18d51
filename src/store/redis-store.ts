import { Redis } from 'ioredis';
import { CodedError } from '../core/errors.js';
import { maskUrl } from '../core/mask.js';
import { storePrefix, type LockHolder, type LockResult, type Store, type UpdateDecision } from './store.js';

const compareAndSet = `
local current = redis.call('GET', KEYS[1])
if (current == false and ARGV[1] ~= '') or (current ~= false and current ~= ARGV[1]) then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) return 1 end
local ttl = tonumber(ARGV[3])
if ttl > 0 then redis.call('SET', KEYS[1], ARGV[2], 'PX', ttl)
elseif ttl == -2 then
  local left = redis.call('PTTL', KEYS[1])
  if left > 0 then redis.call('SET', KEYS[1], ARGV[2], 'PX', left) else redis.call('SET', KEYS[1], ARGV[2]) end
else redis.call('SET', KEYS[1], ARGV[2]) end
return 1`;

const acquire = `
if redis.call('EXISTS', KEYS[1]) == 1 then return {0, redis.call('GET', KEYS[1])} end
local token = redis.call('INCR', KEYS[2])
local value = cjson.encode({holder = cjson.decode(ARGV[1]), token = token})
redis.call('SET', KEYS[1], value, 'PX', tonumber(ARGV[2]))
return {1, tostring(token)}`;

const renew = `
local current = redis.call('GET', KEYS[1])
if current == false then return 0 end
if cjson.decode(current).token ~= tonumber(ARGV[1]) then return 0 end
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1`;

const release = `
local current = redis.call('GET', KEYS[1])
if current ~= false and cjson.decode(current).token == tonumber(ARGV[1]) then redis.call('DEL', KEYS[1]) end
return 1`;

const increment = `
local value = redis.call('INCRBY', KEYS[1], ARGV[1])
if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return value`;

const maxAttempts = 50;

/** The shared store on Redis: atomic updates by compare-and-set, leases with fencing tokens. */
export class RedisStore implements Store {
  readonly kind = 'redis';

  private constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** Connects; a Redis that does not answer within a few seconds is a clear error. */
  static async connect(url: string, options: { prefix?: string } = {}): Promise<RedisStore> {
    const redis = new Redis(url, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 2, enableOfflineQueue: true });
    redis.on('error', () => {});
    try {
      await redis.connect();
    } catch (error) {
      redis.disconnect();
      throw new CodedError('STORE_UNREACHABLE', `Redis store not reachable at ${maskUrl(url)} (${(error as Error).message})`, {}, { cause: error });
    }
    return new RedisStore(redis, options.prefix ?? storePrefix);
  }

  async get<T>(key: string): Promise<T | undefined> {
    const json = await this.redis.get(this.prefix + key);
    return json === null ? undefined : (JSON.parse(json) as T);
  }

  async set<T>(key: string, value: T, ttlMs?: number): Promise<void> {
    if (ttlMs === undefined) await this.redis.set(this.prefix + key, JSON.stringify(value));
    else await this.redis.set(this.prefix + key, JSON.stringify(value), 'PX', Math.max(1, Math.round(ttlMs)));
  }

  async create<T>(key: string, value: T, ttlMs?: number): Promise<boolean> {
    const json = JSON.stringify(value);
    const result =
      ttlMs === undefined
        ? await this.redis.set(this.prefix + key, json, 'NX')
        : await this.redis.set(this.prefix + key, json, 'PX', Math.max(1, Math.round(ttlMs)), 'NX');
    return result === 'OK';
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  async keys(prefix: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.scan(cursor, 'MATCH', `${escapeGlob(this.prefix + prefix)}*`, 'COUNT', 500);
      cursor = next;
      found.push(...batch.map((key) => key.slice(this.prefix.length)));
    } while (cursor !== '0');
    return found;
  }

  async update<T, R>(key: string, decide: (current: T | undefined) => UpdateDecision<T, R>, ttlMs?: number): Promise<R> {
    const fullKey = this.prefix + key;
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const before = await this.redis.get(fullKey);
      const decision = decide(before === null ? undefined : (JSON.parse(before) as T));
      const after = decision.value === undefined ? '' : JSON.stringify(decision.value);
      if (after === (before ?? '')) return decision.result;
      const ttl = ttlMs === undefined ? -2 : Math.max(1, Math.round(ttlMs));
      const written = await this.redis.eval(compareAndSet, 1, fullKey, before ?? '', after, String(ttl));
      if (written === 1) return decision.result;
    }
    throw new CodedError('STORE_CONTENTION', `could not update ${key}: too many concurrent writers`);
  }

  async increment(key: string, by: number, ttlMs: number): Promise<number> {
    return (await this.redis.eval(increment, 1, this.prefix + key, String(Math.trunc(by)), String(Math.max(1, Math.round(ttlMs))))) as number;
  }

  async acquireLock(key: string, holder: LockHolder, ttlMs: number): Promise<LockResult> {
    const reply = (await this.redis.eval(acquire, 2, `${this.prefix}lock:${key}`, `${this.prefix}lock-fencing`, JSON.stringify(holder), String(Math.round(ttlMs)))) as [number, string];
    if (reply[0] === 1) return { acquired: true, token: Number(reply[1]) };
    return { acquired: false, holder: (JSON.parse(reply[1]) as { holder: LockHolder }).holder };
  }

  async renewLock(key: string, token: number, ttlMs: number): Promise<boolean> {
    return (await this.redis.eval(renew, 1, `${this.prefix}lock:${key}`, String(token), String(Math.round(ttlMs)))) === 1;
  }

  async lockHolder(key: string): Promise<LockHolder | undefined> {
    return (await this.get<{ holder: LockHolder }>(`lock:${key}`))?.holder;
  }

  async releaseLock(key: string, token: number): Promise<void> {
    await this.redis.eval(release, 1, `${this.prefix}lock:${key}`, String(token));
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}
