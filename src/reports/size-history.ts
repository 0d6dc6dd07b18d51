import type { Report } from '../core/report.js';
import type { Store } from '../store/store.js';

const units: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4, PiB: 1024 ** 5 };
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

/** Reads "1.5 GiB" back into bytes (to the shown precision). */
export function parseBytes(text: string): number | undefined {
  const match = /^(-?\d+(?:\.\d+)?) (B|KiB|MiB|GiB|TiB|PiB)$/.exec(text.trim());
  return match ? Math.round(Number(match[1]) * units[match[2]!]!) : undefined;
}

/** The `database size (<db>)` lines of the PostgreSQL sections of a verbose health report. */
export function databaseSizes(report: Report): { target: string; database: string; bytes: number }[] {
  const sizes: { target: string; database: string; bytes: number }[] = [];
  for (const section of report.sections) {
    if (!section.title.endsWith(' (postgres)')) continue;
    const target = section.title.slice(0, -' (postgres)'.length);
    for (const line of section.lines) {
      const match = /^database size \((.+)\)$/.exec(line.label);
      const bytes = parseBytes(line.value);
      if (match && bytes !== undefined) sizes.push({ target, database: match[1]!, bytes });
    }
  }
  return sizes;
}

function sizeKey(target: string, database: string): string {
  return `reports:db-size:${target}:${database}`;
}

/** Records today's size of each database (one point per UTC day, 8 days kept) and returns the 7-day growth. */
export async function recordSizes(store: Store, report: Report, now: Date): Promise<SizeGrowth[]> {
  const day = now.toISOString().slice(0, 10);
  const growth: SizeGrowth[] = [];
  for (const size of databaseSizes(report)) {
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
