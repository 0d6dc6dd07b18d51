import { MemoryStore } from './memory-store.js';
import type { Store } from './store.js';

/**
 * The configured store: Redis when a URL is set, else memory (one process, nothing survives a restart).
 * ioredis loads only for Redis. `keyPrefix` separates bots (or tests) that share one Redis; `maintbot:` when left out.
 */
export async function openStore(redisUrl: string | undefined, keyPrefix?: string): Promise<Store> {
  if (!redisUrl) return new MemoryStore();
  const { RedisStore } = await import('./redis-store.js');
  return RedisStore.connect(redisUrl, keyPrefix === undefined ? {} : { prefix: keyPrefix });
}
