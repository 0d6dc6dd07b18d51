import { checkIds, type Finding } from '../core/finding.js';
import type { Store } from '../store/store.js';

const keptDays = 8;
const windowDays = 7;

/** One day's database size. */
export interface SizePoint {
  day: string;
  bytes: number;
}

/** A database's growth over the last 7 days, or how many days are collected so far. */
export interface SizeGrowth {
  target: string;
  database: string;
  bytes: number;
  /** Bytes added since the oldest point within 7 days, and over how many days; absent with fewer than 2 points. */
  delta?: { bytes: number; days: number };
  points: number;
}

/** Each database's size in bytes, from the measures of the `postgres.database_size` findings of a health run. */
function databaseSizes(findings: readonly Finding[]): { target: string; database: string; bytes: number }[] {
  return findings.flatMap((finding) =>
    finding.checkId === checkIds.databaseSize && finding.subject !== undefined && finding.measure?.unit === 'bytes'
      ? [{ target: finding.target, database: finding.subject, bytes: finding.measure.value }]
      : [],
  );
}

function sizeKey(target: string, database: string): string {
  return `reports:db-size:${target}:${database}`;
}

/** Records today's size of each database (one point per UTC day, 8 days kept) and returns the 7-day growth. */
export async function recordSizes(store: Store, findings: readonly Finding[], now: Date): Promise<SizeGrowth[]> {
  const day = now.toISOString().slice(0, 10);
  const growth: SizeGrowth[] = [];
  for (const size of databaseSizes(findings)) {
    const points = await store.update<SizePoint[], SizePoint[]>(sizeKey(size.target, size.database), (current) => {
      const kept = (current ?? []).filter((point) => point.day !== day);
      const next = [...kept, { day, bytes: size.bytes }].sort((a, b) => a.day.localeCompare(b.day)).slice(-keptDays);
      return { value: next, result: next };
    });
    growth.push(growthOf(size.target, size.database, points, now));
  }
  return growth;
}

function growthOf(target: string, database: string, points: SizePoint[], now: Date): SizeGrowth {
  const since = new Date(now.getTime() - windowDays * 86_400_000).toISOString().slice(0, 10);
  const inWindow = points.filter((point) => point.day >= since);
  const latest = inWindow[inWindow.length - 1]!;
  const oldest = inWindow[0]!;
  const result: SizeGrowth = { target, database, bytes: latest.bytes, points: inWindow.length };
  if (inWindow.length >= 2) {
    const days = Math.round((Date.parse(latest.day) - Date.parse(oldest.day)) / 86_400_000);
    result.delta = { bytes: latest.bytes - oldest.bytes, days };
  }
  return result;
}
