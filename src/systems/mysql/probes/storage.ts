import { checkIds, type ProbeFinding } from '../../../core/finding.js';
import { judgeHigh } from '../../../core/judge.js';
import { thresholdText } from '../../../render/figures.js';
import { formatBytes, formatPercent } from '../../../render/units.js';
import type { MysqlSession } from '../connection.js';
import type { CheckContext } from './check.js';

/** Schemas of the server itself, never a target's own data. */
export const systemSchemas = ['mysql', 'information_schema', 'performance_schema', 'sys'];

/** The configured databases, else the URL's, else every database that is not the server's own. */
export async function databasesToCheck(session: MysqlSession, configured: readonly string[] | undefined, ofUrl: string | undefined): Promise<string[]> {
  if (configured) return [...configured];
  if (ofUrl) return [ofUrl];
  const rows = await session.query<{ name: string }>(
    `SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN (${systemSchemas.map(() => '?').join(', ')}) ORDER BY SCHEMA_NAME`,
    systemSchemas,
  );
  return rows.map((row) => row.name);
}

/** The size (data and indexes) of each database; a configured database that does not exist is unknown. */
export async function databaseSizeCheck({ session, databases }: CheckContext): Promise<ProbeFinding[]> {
  if (databases.length === 0) return [];
  const rows = await session.query<{ db: string; bytes: number }>(
    `SELECT s.SCHEMA_NAME AS db, COALESCE(SUM(t.DATA_LENGTH + t.INDEX_LENGTH), 0) AS bytes
       FROM information_schema.SCHEMATA s LEFT JOIN information_schema.TABLES t ON t.TABLE_SCHEMA = s.SCHEMA_NAME
      WHERE s.SCHEMA_NAME IN (${databases.map(() => '?').join(', ')})
      GROUP BY s.SCHEMA_NAME`,
    databases,
  );
  const sizes = new Map(rows.map((row) => [row.db, Number(row.bytes)]));
  return databases.map((database): ProbeFinding => {
    const bytes = sizes.get(database);
    const line = { checkId: checkIds.databaseSize, subject: database, label: `database size (${database})` };
    if (bytes === undefined) return { ...line, status: 'unknown', text: 'no such database', note: 'check the databases listed for this target' };
    return { ...line, status: 'ok', measure: { value: bytes, unit: 'bytes' }, text: formatBytes(bytes) };
  });
}

interface FragmentRow {
  db: string;
  name: string;
  engine: string | null;
  bytes: number;
  free: number;
}

/** Free space inside the big tables (`data_free` of tables of `fragmentation_min_bytes` or more): the 5 with the highest share. */
export async function fragmentationCheck({ session, databases, thresholds }: CheckContext): Promise<ProbeFinding[]> {
  const check = { checkId: 'mysql.fragmentation', label: 'fragmentation' };
  const threshold = `${thresholdText(formatPercent(thresholds.fragmentation_warn_pct), formatPercent(thresholds.fragmentation_crit_pct))} free inside tables of ${formatBytes(thresholds.fragmentation_min_bytes)}+`;
  if (databases.length === 0) return [{ ...check, status: 'ok', text: 'no database to check', threshold }];
  const rows = await session.query<FragmentRow>(
    `SELECT TABLE_SCHEMA AS db, TABLE_NAME AS name, ENGINE AS engine, DATA_LENGTH + INDEX_LENGTH AS bytes, DATA_FREE AS free
       FROM information_schema.TABLES
      WHERE TABLE_SCHEMA IN (${databases.map(() => '?').join(', ')}) AND TABLE_TYPE = 'BASE TABLE'
        AND DATA_LENGTH + INDEX_LENGTH >= ? AND DATA_FREE > 0
      ORDER BY DATA_FREE / (DATA_LENGTH + INDEX_LENGTH + DATA_FREE) DESC, DATA_FREE DESC
      LIMIT 5`,
    [...databases, thresholds.fragmentation_min_bytes],
  );
  const pctOf = (row: FragmentRow) => (Number(row.free) / (Number(row.bytes) + Number(row.free))) * 100;
  const worst = rows[0];
  if (!worst) return [{ ...check, status: 'ok', text: 'no big table with free space inside', threshold }];
  const status = judgeHigh(pctOf(worst), { warn: thresholds.fragmentation_warn_pct, crit: thresholds.fragmentation_crit_pct });
  const line: ProbeFinding = {
    ...check,
    status,
    measure: { value: pctOf(worst), unit: 'percent' },
    text: `${worst.db}.${worst.name} ${formatPercent(pctOf(worst))} free (${formatBytes(Number(worst.free))} of ${formatBytes(Number(worst.bytes) + Number(worst.free))})`,
    threshold,
    detail: rows.map((row) => `${row.db}.${row.name} (${row.engine ?? '?'}) · ${formatPercent(pctOf(row))} free · ${formatBytes(Number(row.free))} free of ${formatBytes(Number(row.bytes) + Number(row.free))}`),
  };
  if (status !== 'ok') line.note = `deleted rows left space the table keeps: \`/maint optimize ${worst.db}.${worst.name}\` rebuilds it (needs approval)`;
  return [line];
}
