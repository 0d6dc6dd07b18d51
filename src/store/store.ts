/** Who holds a lock, shown to whoever is refused it. */
export interface LockHolder {
  /** What holds it, e.g. "restart requested by alice (approval k3f9qa)". */
  description: string;
  since: number;
}

/** The answer to a lock request: the fencing token when acquired, else who holds it. */
export type LockResult = { acquired: true; token: number } | { acquired: false; holder: LockHolder };

/** What an atomic update decided: the value to store (undefined deletes) and a result for the caller. */
export interface UpdateDecision<T, R> {
  value: T | undefined;
  result: R;
}

/**
 * State that must survive a restart and be shared between bot processes: approval requests, alert
 * states, locks. Values are JSON. Redis in production; memory for a single process with no Redis.
 */
export interface Store {
  readonly kind: 'redis' | 'memory';
  get<T>(key: string): Promise<T | undefined>;
  set<T>(key: string, value: T, ttlMs?: number): Promise<void>;
  /** Stores only when the key is absent; true when it was stored. */
  create<T>(key: string, value: T, ttlMs?: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Keys that start with a prefix (for sweeps at start; not for hot paths). */
  keys(prefix: string): Promise<string[]>;
  /**
   * Read-modify-write that is atomic across processes: `decide` may run more than once when another
   * writer got there first; the result of the run whose write won is returned. `decide` must be pure.
   */
  update<T, R>(key: string, decide: (current: T | undefined) => UpdateDecision<T, R>, ttlMs?: number): Promise<R>;
  /**
   * Adds `by` to a counter and returns its new value, atomically across processes; a counter that did not
   * exist starts at 0 and expires after `ttlMs` (rate-limit windows).
   */
  increment(key: string, by: number, ttlMs: number): Promise<number>;
  /** A lease lock with a fencing token that grows with every acquisition. */
  acquireLock(key: string, holder: LockHolder, ttlMs: number): Promise<LockResult>;
  /** Extends a lease still held with `token`; false when it was lost. */
  renewLock(key: string, token: number, ttlMs: number): Promise<boolean>;
  /** Who holds a lease now; undefined when it is free. */
  lockHolder(key: string): Promise<LockHolder | undefined>;
  /** Releases a lease held with `token`; a lease taken over by someone else is left alone. */
  releaseLock(key: string, token: number): Promise<void>;
  /** True when the store answers. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

/** The key prefix of everything maintbot keeps in a shared store. */
export const storePrefix = 'maintbot:';
