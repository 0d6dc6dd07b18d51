import type { ProbeFinding } from '../../../core/finding.js';
import type { CheckContext } from './check.js';
import { clockTime, shortQuery, thresholdText } from './format.js';
import { formatSeconds } from '../../../render/units.js';
import { judgeHigh } from '../../../core/judge.js';

interface LongQueryRow {
  pid: number;
  seconds: number;
  usename: string | null;
  datname: string | null;
  query: string | null;
  total: number;
}

const longQueriesSql = `
  select pid, extract(epoch from now() - query_start)::float8 as seconds, usename, datname, query,
         (count(*) over ())::int as total
    from pg_stat_activity
   where state = 'active' and backend_type = 'client backend' and pid <> pg_backend_pid()
     and query_start <= now() - make_interval(secs => $1)
   order by query_start
   limit 3`;

/** Queries running longer than the warn threshold: the top 3 with pid, duration and the start of the text. */
export async function longQueryCheck({ serverRows, thresholds }: CheckContext): Promise<ProbeFinding[]> {
  const rows = await serverRows<LongQueryRow>(longQueriesSql, [thresholds.long_query_warn_s]);
  const threshold = thresholdText(formatSeconds(thresholds.long_query_warn_s), formatSeconds(thresholds.long_query_crit_s));
  const longest = rows[0];
  const check = { checkId: 'postgres.long_queries', label: 'long-running queries' };
  if (!longest) return [{ ...check, status: 'ok', text: 'none', threshold }];
  return [
    {
      ...check,
      status: judgeHigh(longest.seconds, { warn: thresholds.long_query_warn_s, crit: thresholds.long_query_crit_s }),
      measure: { value: longest.seconds, unit: 'seconds' },
      text: `${longest.total}, longest ${formatSeconds(longest.seconds)} (pid ${longest.pid})`,
      threshold,
      note: 'long queries hold locks and snapshots and keep vacuum from cleaning up: check them, or `/maint terminate-long-queries`',
      detail: rows.map(
        (row) => `pid ${row.pid} · ${formatSeconds(row.seconds)} · ${row.usename ?? '?'}@${row.datname ?? '?'} · ${shortQuery(row.query)}`,
      ),
    },
  ];
}

interface IdleRow {
  pid: number;
  idle_s: number;
  xact_s: number;
  usename: string | null;
  query: string | null;
  total: number;
}

const idleInTransactionSql = `
  select pid, extract(epoch from now() - state_change)::float8 as idle_s,
         extract(epoch from now() - xact_start)::float8 as xact_s, usename, query,
         (count(*) over ())::int as total
    from pg_stat_activity
   where state in ('idle in transaction', 'idle in transaction (aborted)') and pid <> pg_backend_pid()
   order by state_change
   limit 3`;

/** Sessions idle in an open transaction: how many, and the oldest. */
export async function idleInTransactionCheck({ serverRows, thresholds }: CheckContext): Promise<ProbeFinding[]> {
  const rows = await serverRows<IdleRow>(idleInTransactionSql);
  const threshold = thresholdText(formatSeconds(thresholds.idle_in_transaction_warn_s));
  const oldest = rows[0];
  const check = { checkId: 'postgres.idle_in_transaction', label: 'idle in transaction' };
  if (!oldest) return [{ ...check, status: 'ok', text: 'none', threshold }];
  const status = judgeHigh(oldest.idle_s, { warn: thresholds.idle_in_transaction_warn_s, crit: Number.POSITIVE_INFINITY });
  const line: ProbeFinding = {
    ...check,
    status,
    measure: { value: oldest.idle_s, unit: 'seconds' },
    text: `${oldest.total}, oldest idle ${formatSeconds(oldest.idle_s)} (pid ${oldest.pid})`,
    threshold,
    detail: rows.map(
      (row) => `pid ${row.pid} · idle ${formatSeconds(row.idle_s)}, transaction open ${formatSeconds(row.xact_s)} · ${row.usename ?? '?'} · last: ${shortQuery(row.query)}`,
    ),
  };
  if (status !== 'ok') {
    line.note = 'an open transaction holds its locks and stops vacuum: fix the client that forgets to commit, or set idle_in_transaction_session_timeout';
  }
  return [line];
}

interface BlockerInfo {
  pid: number;
  state: string | null;
  query_start: string | null;
  query: string | null;
}

interface BlockedRow {
  pid: number;
  waiting_s: number;
  query_start: Date | null;
  query: string | null;
  blockers: BlockerInfo[];
  total: number;
}

const blockedSql = `
  select w.pid, extract(epoch from now() - w.query_start)::float8 as waiting_s, w.query_start, w.query,
         (select coalesce(json_agg(json_build_object('pid', b.pid, 'state', b.state, 'query_start', b.query_start, 'query', left(b.query, 400))
                                   order by b.pid), '[]'::json)
            from unnest(pg_blocking_pids(w.pid)) as bp(pid)
            left join pg_stat_activity b on b.pid = bp.pid) as blockers,
         (count(*) over ())::int as total
    from pg_stat_activity w
   where w.pid <> pg_backend_pid() and w.wait_event_type = 'Lock' and cardinality(pg_blocking_pids(w.pid)) > 0
   order by w.query_start
   limit 5`;

/** Queries waiting on a lock, each named with the sessions that block it. */
export async function blockedQueryCheck({ serverRows, thresholds }: CheckContext): Promise<ProbeFinding[]> {
  const rows = await serverRows<BlockedRow>(blockedSql);
  const threshold = `warn at any, crit when blocked ${formatSeconds(thresholds.blocked_crit_s)}`;
  const longest = rows[0];
  const check = { checkId: 'postgres.blocked_queries', label: 'blocked queries' };
  if (!longest) return [{ ...check, status: 'ok', text: 'none', threshold }];
  const blockerPids = [...new Set(rows.flatMap((row) => row.blockers.map((b) => b.pid)))];
  return [
    {
      ...check,
      status: longest.waiting_s >= thresholds.blocked_crit_s ? 'crit' : 'warn',
      measure: { value: longest.waiting_s, unit: 'seconds' },
      text: `${longest.total} waiting on locks held by pid ${blockerPids.join(', ')}, longest ${formatSeconds(longest.waiting_s)}`,
      threshold,
      note: 'find out why the blocker holds its lock (often an idle transaction); end it if it is safe to',
      detail: rows.map(
        (row) =>
          `pid ${row.pid} (waiting ${formatSeconds(row.waiting_s)}, started ${clockTime(row.query_start)}): ${shortQuery(row.query)} ← blocked by ${row.blockers
            .map((b) => `pid ${b.pid} (${b.state ?? 'unknown state'}, query started ${clockTime(b.query_start ? new Date(b.query_start) : null)}): ${shortQuery(b.query)}`)
            .join('; ')}`,
      ),
    },
  ];
}
