import type { Store } from '../store/store.js';

/** The store key that one tick of one schedule is claimed under. */
export function tickKey(schedule: string, tick: Date): string {
  return `schedule:${schedule}:${tick.toISOString()}`;
}

/**
 * Claims one tick for this replica: true for exactly one of the replicas that ask (the one whose
 * create wins). The key expires after `ttlMs`, so nothing is left to block later ticks.
 */
export function claimTick(store: Store, schedule: string, tick: Date, owner: string, ttlMs: number): Promise<boolean> {
  return store.create(tickKey(schedule, tick), { owner, claimedAt: new Date().toISOString() }, ttlMs);
}
