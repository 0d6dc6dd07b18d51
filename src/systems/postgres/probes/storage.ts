import type pg from 'pg';
import { checkIds, type ProbeFinding } from '../../../core/finding.js';
import type { CheckContext, CheckName } from './check.js';
import { databaseRows } from './databases.js';
import { ago, formatCount, lowThresholdText, thresholdText } from './format.js';
import type { PostgresThresholds } from './thresholds.js';
import { formatBytes, formatPercent } from '../../../render/units.js';
import { judgeHigh, judgeLow } from '../../../core/judge.js';

/** Transaction-ID age of the oldest database against autovacuum_freeze_max_age. */
export async function wraparoundCheck(context: CheckContext): Promise<ProbeFinding[]> {
  const { thresholds } = context;
  const rows = (await databaseRows(context)).oldest;
  const oldest = rows[0];
  if (!oldest) throw new Error('no database rows');
  const pct = (oldest.xid_age / oldest.freeze_max_age) * 100;
  const status = judgeHigh(pct, { warn: thresholds.wraparound_warn_pct, crit: thresholds.wraparound_crit_pct });
  const line: ProbeFinding = {
    checkId: 'postgres.transaction_id_age',
    status,
    measure: { value: pct, unit: 'percent' },
    label: 'transaction ID age',
    text: `${formatCount(oldest.xid_age)} in ${oldest.datname} (${formatPercent(pct)} of autovacuum_freeze_max_age ${formatCount(oldest.freeze_max_age)})`,
    threshold: thresholdText(formatPercent(thresholds.wraparound_warn_pct), formatPercent(thresholds.wraparound_crit_pct)),
    detail: rows.map((row) => `${row.datname} · ${formatCount(row.xid_age)}`),
  };
  if (status !== 'ok') {
    line.note = 'near wraparound PostgreSQL stops accepting writes: find what blocks freezing (long transactions, inactive slots) and VACUUM (FREEZE) the oldest tables';
  }
  return [line];
}

/** Cache hit ratio of each configured database, from the run's shared read of every database (`databaseRows`). */
export async function databaseStatsCheck(context: CheckContext): Promise<ProbeFinding[]> {
  const { thresholds, databases } = context;
  const { byName } = await databaseRows(context);
  const rows = databases.flatMap((database) => byName.get(database) ?? []);
  const lines: ProbeFinding[] = [];
  for (const row of rows) {
    const total = row.blks_hit + row.blks_read;
    const threshold = lowThresholdText(thresholds.cache_hit_warn.toFixed(2), thresholds.cache_hit_crit.toFixed(2));
    const cacheHit = { checkId: 'postgres.cache_hit_ratio', subject: row.datname, label: `cache hit ratio (${row.datname})` };
    if (total === 0) {
      lines.push({ ...cacheHit, status: 'ok', text: 'no block reads yet', threshold });
    } else {
      const ratio = row.blks_hit / total;
      const status = judgeLow(ratio, { warn: thresholds.cache_hit_warn, crit: thresholds.cache_hit_crit });
      const line: ProbeFinding = {
        ...cacheHit,
        status,
        measure: { value: ratio, unit: 'ratio' },
        text: `${ratio.toFixed(3)} (${formatCount(row.blks_read)} of ${formatCount(total)} blocks read from disk)`,
        threshold,
      };
      if (status !== 'ok') line.note = 'reads go to disk: look for missing indexes and sequential scans, or give shared_buffers more memory';
      lines.push(line);
    }
  }
  return lines;
}

/** The size check of one database. */
export function databaseSizeName(database: string): CheckName {
  return { checkId: checkIds.databaseSize, subject: database, label: `database size (${database})` };
}

/** The size of the database `client` is connected to. */
export async function databaseSizeCheck(client: pg.Client, database: string): Promise<ProbeFinding[]> {
  const { rows } = await client.query<{ size_bytes: number }>('select pg_database_size(current_database())::float8 as size_bytes');
  const size = rows[0]!.size_bytes;
  return [{ ...databaseSizeName(database), status: 'ok', measure: { value: size, unit: 'bytes' }, text: formatBytes(size) }];
}

interface DeadTupleRow {
  table_name: string;
  live: number;
  dead: number;
  ratio: number;
  last_vacuum: Date | null;
  last_autovacuum: Date | null;
  last_analyze: Date | null;
  last_autoanalyze: Date | null;
}

const deadTuplesSql = `
  select format('%I.%I', schemaname, relname) as table_name, n_live_tup::float8 as live, n_dead_tup::float8 as dead,
         n_dead_tup::float8 / nullif(n_live_tup + n_dead_tup, 0) as ratio,
         last_vacuum, last_autovacuum, last_analyze, last_autoanalyze
    from pg_stat_user_tables
   where n_dead_tup >= $1 and n_dead_tup > 0
   order by ratio desc, n_dead_tup desc
   limit 5`;

/** The dead-tuple check of one database. */
export function deadTuplesName(database: string): CheckName {
  return { checkId: 'postgres.dead_tuples', subject: database, label: `dead tuples (${database})` };
}

/** The 5 tables with the highest share of dead tuples in one database, with their last (auto)vacuum and analyze. */
export async function deadTupleCheck(
  client: pg.Client,
  database: string,
  thresholds: PostgresThresholds,
  now: Date,
): Promise<ProbeFinding[]> {
  const { rows } = await client.query<DeadTupleRow>(deadTuplesSql, [thresholds.dead_tuple_min_rows]);
  const name = deadTuplesName(database);
  const threshold = `${thresholdText(formatPercent(thresholds.dead_tuple_warn_pct), formatPercent(thresholds.dead_tuple_crit_pct))} of a table's rows, for tables with ${formatCount(thresholds.dead_tuple_min_rows)}+ dead`;
  const worst = rows[0];
  if (!worst) return [{ ...name, status: 'ok', text: 'no table above the minimum', threshold }];
  const pctOf = (row: DeadTupleRow) => row.ratio * 100;
  const status = judgeHigh(pctOf(worst), { warn: thresholds.dead_tuple_warn_pct, crit: thresholds.dead_tuple_crit_pct });
  const line: ProbeFinding = {
    ...name,
    status,
    measure: { value: pctOf(worst), unit: 'percent' },
    text: `${worst.table_name} ${formatPercent(pctOf(worst))} dead (${formatCount(worst.dead)} of ${formatCount(worst.live + worst.dead)} rows)`,
    threshold,
    detail: rows.map(
      (row) =>
        `${row.table_name} · ${formatPercent(pctOf(row))} dead (${formatCount(row.dead)}) · vacuum ${ago(row.last_vacuum, now)}, autovacuum ${ago(row.last_autovacuum, now)} · analyze ${ago(row.last_analyze, now)}, autoanalyze ${ago(row.last_autoanalyze, now)}`,
    ),
  };
  if (status !== 'ok') {
    line.note = `dead rows bloat the table and slow scans: \`/maint vacuum ${worst.table_name}\`, and check why autovacuum falls behind`;
  }
  return [line];
}
