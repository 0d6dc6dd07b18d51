import type { ProbeFinding } from '../../../core/finding.js';
import { judgeHigh } from '../../../core/judge.js';
import { clockTime, shortQuery, thresholdText } from '../../../render/figures.js';
import { formatSeconds } from '../../../render/units.js';
import { mysqlErrorCode, type MysqlSession } from '../connection.js';
import type { CheckContext } from './check.js';
import { runningStatements } from './sessions.js';

/** Statements running longer than the warn threshold, other than the bot's own: the top 3 with id, user, db, time and start. */
export async function longQueryCheck({ session, thresholds }: CheckContext): Promise<ProbeFinding[]> {
  const statements = await runningStatements(session, { minSeconds: thresholds.long_query_warn_s });
  const threshold = thresholdText(formatSeconds(thresholds.long_query_warn_s), formatSeconds(thresholds.long_query_crit_s));
  const check = { checkId: 'mysql.long_queries', label: 'long-running queries' };
  const longest = statements[0];
  if (!longest) return [{ ...check, status: 'ok', text: 'none', threshold }];
  return [
    {
      ...check,
      status: judgeHigh(longest.seconds, { warn: thresholds.long_query_warn_s, crit: thresholds.long_query_crit_s }),
      measure: { value: longest.seconds, unit: 'seconds' },
      text: `${statements.length}, longest ${formatSeconds(longest.seconds)} (id ${longest.id})`,
      threshold,
      note: 'long statements hold locks and keep old row versions (history list) alive: check them, or `/maint terminate-long-queries`',
      detail: statements
        .slice(0, 3)
        .map((row) => `id ${row.id} · ${formatSeconds(row.seconds)}, started ${clockTime(row.startedAt)} · ${row.user}@${row.db ?? '?'} · ${shortQuery(row.query)}`),
    },
  ];
}

/** One statement waiting for a lock, with whom it waits for. */
interface LockWait {
  kind: 'row lock' | 'metadata lock';
  waiterId: number;
  waitingSeconds: number;
  waiterQuery: string | null;
  blockers: { id: number; query: string | null; note: string }[];
}

/** Statements waiting for InnoDB row locks or for metadata locks, each with its blocker. */
export async function lockWaitCheck({ session, thresholds }: CheckContext): Promise<ProbeFinding[]> {
  const waits = [...(await rowLockWaits(session)), ...(await metadataLockWaits(session))].sort((a, b) => b.waitingSeconds - a.waitingSeconds);
  const check = { checkId: 'mysql.lock_waits', label: 'lock waits' };
  const threshold = `warn at any, crit when waiting ${formatSeconds(thresholds.lock_wait_crit_s)}`;
  const longest = waits[0];
  if (!longest) return [{ ...check, status: 'ok', text: 'none', threshold }];
  const blockerIds = [...new Set(waits.flatMap((wait) => wait.blockers.map((blocker) => blocker.id)))];
  return [
    {
      ...check,
      status: longest.waitingSeconds >= thresholds.lock_wait_crit_s ? 'crit' : 'warn',
      measure: { value: longest.waitingSeconds, unit: 'seconds' },
      text: `${waits.length} waiting${blockerIds.length > 0 ? ` on locks held by id ${blockerIds.join(', ')}` : ''}, longest ${formatSeconds(longest.waitingSeconds)}`,
      threshold,
      note: 'find out why the blocker holds its lock (often a transaction left open by a client); end it with KILL if it is safe to',
      detail: waits.slice(0, 5).map(
        (wait) =>
          `id ${wait.waiterId} (${wait.kind}, waiting ${formatSeconds(wait.waitingSeconds)}): ${shortQuery(wait.waiterQuery)} ← ${
            wait.blockers.length > 0 ? wait.blockers.map((b) => `id ${b.id} (${b.note}): ${shortQuery(b.query)}`).join('; ') : 'blocker unknown'
          }`,
      ),
    },
  ];
}

interface RowLockRow {
  waiter_id: number;
  waiting_s: number;
  waiter_query: string | null;
  blocker_id: number;
  blocker_query: string | null;
  blocker_trx_s: number;
}

const rowLockSql = (waitsTable: string, requesting: string, blocking: string) => `
  SELECT r.trx_mysql_thread_id AS waiter_id, TIMESTAMPDIFF(SECOND, r.trx_wait_started, NOW()) AS waiting_s, r.trx_query AS waiter_query,
         b.trx_mysql_thread_id AS blocker_id, b.trx_query AS blocker_query, TIMESTAMPDIFF(SECOND, b.trx_started, NOW()) AS blocker_trx_s
    FROM ${waitsTable} w
    JOIN information_schema.INNODB_TRX r ON r.trx_id = w.${requesting}
    JOIN information_schema.INNODB_TRX b ON b.trx_id = w.${blocking}`;

/** InnoDB row lock waits: `information_schema.INNODB_LOCK_WAITS` (MariaDB, MySQL 5.7), else `performance_schema.data_lock_waits` (MySQL 8). */
async function rowLockWaits(session: MysqlSession): Promise<LockWait[]> {
  let rows: RowLockRow[];
  try {
    rows = await session.query<RowLockRow>(rowLockSql('information_schema.INNODB_LOCK_WAITS', 'requesting_trx_id', 'blocking_trx_id'));
  } catch (error) {
    if (!missingTable(error)) throw error;
    rows = await session.query<RowLockRow>(rowLockSql('performance_schema.data_lock_waits', 'REQUESTING_ENGINE_TRANSACTION_ID', 'BLOCKING_ENGINE_TRANSACTION_ID'));
  }
  const byWaiter = new Map<number, LockWait>();
  for (const row of rows) {
    const wait = byWaiter.get(row.waiter_id) ?? {
      kind: 'row lock' as const,
      waiterId: Number(row.waiter_id),
      waitingSeconds: Number(row.waiting_s),
      waiterQuery: row.waiter_query,
      blockers: [],
    };
    wait.blockers.push({ id: Number(row.blocker_id), query: row.blocker_query, note: `transaction open ${formatSeconds(Number(row.blocker_trx_s))}` });
    byWaiter.set(row.waiter_id, wait);
  }
  return [...byWaiter.values()];
}

/** Statements waiting for a metadata lock, and who holds it where the server says (MariaDB's metadata_lock_info plugin, MySQL's performance_schema). */
async function metadataLockWaits(session: MysqlSession): Promise<LockWait[]> {
  const waiters = await session.query<{ id: number; seconds: number; query: string | null }>(
    `SELECT ID AS id, TIME AS seconds, INFO AS query FROM information_schema.PROCESSLIST
      WHERE STATE LIKE 'Waiting for %metadata lock' AND ID <> CONNECTION_ID()`,
  );
  if (waiters.length === 0) return [];
  const holders = await metadataLockHolders(session, waiters.map((waiter) => Number(waiter.id)));
  return waiters.map((waiter) => ({
    kind: 'metadata lock' as const,
    waiterId: Number(waiter.id),
    waitingSeconds: Number(waiter.seconds),
    waiterQuery: waiter.query,
    blockers: holders ?? [],
  }));
}

async function metadataLockHolders(session: MysqlSession, waiterIds: number[]): Promise<LockWait['blockers'] | undefined> {
  try {
    const rows = await session.query<{ id: number; query: string | null; command: string; seconds: number }>(
      `SELECT DISTINCT m.THREAD_ID AS id, p.INFO AS query, p.COMMAND AS command, p.TIME AS seconds
         FROM information_schema.METADATA_LOCK_INFO m JOIN information_schema.PROCESSLIST p ON p.ID = m.THREAD_ID
        WHERE m.THREAD_ID NOT IN (${waiterIds.map(() => '?').join(', ')}) AND m.THREAD_ID <> CONNECTION_ID()
          AND m.LOCK_TYPE IN ('Table metadata lock', 'Schema metadata lock')`,
      waiterIds,
    );
    return rows.map((row) => ({ id: Number(row.id), query: row.query, note: `${row.command === 'Sleep' ? 'idle' : 'running'} ${formatSeconds(Number(row.seconds))}, holds a metadata lock` }));
  } catch (error) {
    if (!missingTable(error)) throw error;
  }
  try {
    const rows = await session.query<{ id: number; query: string | null; seconds: number }>(
      `SELECT DISTINCT t.PROCESSLIST_ID AS id, t.PROCESSLIST_INFO AS query, t.PROCESSLIST_TIME AS seconds
         FROM performance_schema.metadata_locks m JOIN performance_schema.threads t ON t.THREAD_ID = m.OWNER_THREAD_ID
        WHERE m.LOCK_STATUS = 'GRANTED' AND m.OBJECT_TYPE = 'TABLE' AND t.PROCESSLIST_ID IS NOT NULL
          AND t.PROCESSLIST_ID NOT IN (${waiterIds.map(() => '?').join(', ')}) AND t.PROCESSLIST_ID <> CONNECTION_ID()`,
      waiterIds,
    );
    return rows.map((row) => ({ id: Number(row.id), query: row.query, note: `holds a metadata lock, ${formatSeconds(Number(row.seconds))}` }));
  } catch (error) {
    if (!missingTable(error)) throw error;
    return undefined;
  }
}

function missingTable(error: unknown): boolean {
  const code = mysqlErrorCode(error);
  return code === 'ER_NO_SUCH_TABLE' || code === 'ER_UNKNOWN_TABLE' || code === 'ER_BAD_FIELD_ERROR';
}
