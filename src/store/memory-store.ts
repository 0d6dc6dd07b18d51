import type { LockHolder, LockResult, Store, UpdateDecision } from './store.js';

interface Entry {
  json: string;
  expiresAt?: number;
}

const minWritesPerSweep = 64;

/** The store of a single process with no Redis: nothing survives a restart. */
export class MemoryStore implements Store {
  readonly kind = 'memory';
  private readonly entries = new Map<string, Entry>();
  private fencing = 0;
  private writesSinceSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async get<T>(key: string): Promise<T | undefined> {
    const entry = this.live(key);
    return entry ? (JSON.parse(entry.json) as T) : undefined;
  }

  async set<T>(key: string, value: T, ttlMs?: number): Promise<void> {
    this.write(key, value, ttlMs);
  }

  async create<T>(key: string, value: T, ttlMs?: number): Promise<boolean> {
    if (this.live(key)) return false;
    this.write(key, value, ttlMs);
    return true;
  }

  async delete(key: string): Promise<void> {
    this.entries.delete(key);
  }

  async keys(prefix: string): Promise<string[]> {
    return [...this.entries.keys()].filter((key) => key.startsWith(prefix) && this.live(key));
  }

  async update<T, R>(key: string, decide: (current: T | undefined) => UpdateDecision<T, R>, ttlMs?: number): Promise<R> {
    const entry = this.live(key);
    const decision = decide(entry ? (JSON.parse(entry.json) as T) : undefined);
    if (decision.value === undefined) this.entries.delete(key);
    else this.write(key, decision.value, ttlMs ?? (entry?.expiresAt !== undefined ? entry.expiresAt - this.now() : undefined));
    return decision.result;
  }

  async increment(key: string, by: number, ttlMs: number): Promise<number> {
    const entry = this.live(key);
    const value = (entry ? (JSON.parse(entry.json) as number) : 0) + by;
    this.write(key, value, entry?.expiresAt !== undefined ? entry.expiresAt - this.now() : ttlMs);
    return value;
  }

  async acquireLock(key: string, holder: LockHolder, ttlMs: number): Promise<LockResult> {
    const current = await this.get<{ holder: LockHolder; token: number }>(`lock:${key}`);
    if (current) return { acquired: false, holder: current.holder };
    const token = ++this.fencing;
    this.write(`lock:${key}`, { holder, token }, ttlMs);
    return { acquired: true, token };
  }

  async renewLock(key: string, token: number, ttlMs: number): Promise<boolean> {
    const current = await this.get<{ holder: LockHolder; token: number }>(`lock:${key}`);
    if (current?.token !== token) return false;
    this.write(`lock:${key}`, current, ttlMs);
    return true;
  }

  async lockHolder(key: string): Promise<LockHolder | undefined> {
    return (await this.get<{ holder: LockHolder }>(`lock:${key}`))?.holder;
  }

  async releaseLock(key: string, token: number): Promise<void> {
    const current = await this.get<{ token: number }>(`lock:${key}`);
    if (current?.token === token) this.entries.delete(`lock:${key}`);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private write(key: string, value: unknown, ttlMs?: number): void {
    this.entries.set(key, { json: JSON.stringify(value), expiresAt: ttlMs === undefined ? undefined : this.now() + Math.max(1, ttlMs) });
    if (++this.writesSinceSweep >= Math.max(minWritesPerSweep, this.entries.size)) this.sweep();
  }

  /** Drops expired entries nobody reads again (rate-limit windows, schedule ticks); amortised over the writes. */
  private sweep(): void {
    this.writesSinceSweep = 0;
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt !== undefined && entry.expiresAt <= now) this.entries.delete(key);
  }
}
