import type { Redis } from 'ioredis';

/** How much of the keyspace `sampleKeyPatterns` may read. */
export interface SampleBudget {
  keys: number;
  ms: number;
}

/** Keys that share a pattern, with the memory of those sampled. */
export interface KeyPattern {
  pattern: string;
  keys: number;
  bytes: number;
}

/** What a sample found. */
export interface KeySample {
  patterns: KeyPattern[];
  sampledKeys: number;
  sampledBytes: number;
  elapsedMs: number;
  /** True when SCAN came back to cursor 0: every key was seen. */
  complete: boolean;
}

const separators = /([:/.|#{}])/;
const idLike = [/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, /^(?=.*\d)[0-9a-f]{8,}$/i, /^(?=.*\d)[A-Za-z0-9_-]{20,}$/];

/** A key name with its ids replaced by `*`: `session:8f1c…:data` → `session:*:data`, `user42` → `user*`. */
export function keyPattern(key: string): string {
  return key
    .split(separators)
    .map((part) => (idLike.some((pattern) => pattern.test(part)) ? '*' : part.replace(/\d+/g, '*')))
    .join('');
}

const scanCount = 200;

/**
 * Walks the keyspace with SCAN and asks MEMORY USAGE of each key (pipelined per batch), until `budget.keys`
 * keys or `budget.ms` milliseconds are spent or SCAN is done; groups the keys by `keyPattern`, biggest first.
 */
export async function sampleKeyPatterns(client: Redis, budget: SampleBudget, now: () => number = Date.now): Promise<KeySample> {
  const started = now();
  const byPattern = new Map<string, KeyPattern>();
  let cursor = '0';
  let sampledKeys = 0;
  let sampledBytes = 0;
  let cut = false;
  do {
    const [next, keys] = await client.scan(cursor, 'COUNT', scanCount);
    cursor = next;
    const batch = keys.slice(0, budget.keys - sampledKeys);
    cut ||= batch.length < keys.length;
    const pipeline = client.pipeline();
    for (const key of batch) pipeline.call('MEMORY', 'USAGE', key, 'SAMPLES', '5');
    const sizes = batch.length > 0 ? ((await pipeline.exec()) ?? []) : [];
    batch.forEach((key, index) => {
      const bytes = Number(sizes[index]?.[1] ?? 0) || 0;
      const pattern = keyPattern(key);
      const entry = byPattern.get(pattern) ?? { pattern, keys: 0, bytes: 0 };
      entry.keys += 1;
      entry.bytes += bytes;
      byPattern.set(pattern, entry);
      sampledBytes += bytes;
    });
    sampledKeys += batch.length;
  } while (cursor !== '0' && sampledKeys < budget.keys && now() - started < budget.ms);
  const patterns = [...byPattern.values()].sort((a, b) => b.bytes - a.bytes || b.keys - a.keys || a.pattern.localeCompare(b.pattern));
  return { patterns, sampledKeys, sampledBytes, elapsedMs: now() - started, complete: cursor === '0' && !cut };
}
