import type pg from 'pg';
import { formatBytes, formatSeconds } from '../../../render/units.js';

/** Size and activity figures of one table, as a plan shows them. */
export interface TableStats {
  totalBytes: number;
  liveTuples: number;
  deadTuples: number;
  lastVacuum?: Date;
  lastAutovacuum?: Date;
}

/** Reads a table's total size (with indexes and TOAST), live/dead tuples and last vacuums. */
export async function readTableStats(client: pg.Client, oid: number): Promise<TableStats> {
  const { rows } = await client.query<{
    total_bytes: number;
    live: number | null;
    dead: number | null;
    last_vacuum: Date | null;
    last_autovacuum: Date | null;
  }>(
    `select pg_total_relation_size(c.oid)::float8 as total_bytes, s.n_live_tup::float8 as live, s.n_dead_tup::float8 as dead,
            s.last_vacuum, s.last_autovacuum
       from pg_class c left join pg_stat_all_tables s on s.relid = c.oid
      where c.oid = $1::float8::int8::oid`,
    [oid],
  );
  const row = rows[0];
  return {
    totalBytes: row?.total_bytes ?? 0,
    liveTuples: row?.live ?? 0,
    deadTuples: row?.dead ?? 0,
    ...(row?.last_vacuum ? { lastVacuum: row.last_vacuum } : {}),
    ...(row?.last_autovacuum ? { lastAutovacuum: row.last_autovacuum } : {}),
  };
}

/** The plan lines for a table's figures. */
export function describeTableStats(stats: TableStats, now = new Date()): string[] {
  return [
    `size: ${formatBytes(stats.totalBytes)} (table, indexes and TOAST)`,
    `tuples: ${stats.liveTuples} live, ${stats.deadTuples} dead`,
    `last vacuum: ${when(stats.lastVacuum, now)}; last autovacuum: ${when(stats.lastAutovacuum, now)}`,
  ];
}

/** "3 h ago (2024-05-01T10:00:00.000Z)" or "never". */
export function when(date: Date | undefined, now: Date): string {
  if (!date) return 'never';
  return `${formatSeconds((now.getTime() - date.getTime()) / 1000)} ago (${date.toISOString()})`;
}
