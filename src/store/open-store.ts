import { MemoryStore } from './memory-store.js';
import { RedisStore } from './redis-store.js';
import type { Store } from './store.js';

/** The configured store: Redis when a URL is set, else memory (one process, nothing survives a restart). */
export async function openStore(redisUrl: string | undefined): Promise<Store> {
  return redisUrl ? RedisStore.connect(redisUrl) : new MemoryStore();
}
