import type pg from 'pg';
import { z } from 'zod';

/** Why a session is on a terminate plan. */
export type TerminateReason = 'long query' | 'idle in transaction';

/** A client session as a terminate plan lists it; the timestamps are the server's own text, to the microsecond. */
export interface ListedSession {
  pid: number;
  user: string | null;
  database: string | null;
  state: string;
  reason: TerminateReason;
  backend_start: string;
  query_start: string | null;
  /** Milliseconds in the current query (long query) or idle in its transaction. */
  durationMs: number;
  /** The first 80 characters of the query, whitespace folded and passwords hidden. */
  query: string;
}

/** What identifies a planned session at run time, so a reused pid or a new query is never terminated. */
export const plannedSessionSchema = z.object({
  pid: z.number().int().positive(),
  backend_start: z.string(),
  query_start: z.string().nullable(),
  reason: z.enum(['long query', 'idle in transaction']),
});

/** One planned session, as stored with the plan. */
export type PlannedSession = z.output<typeof plannedSessionSchema>;

/** Which sessions a terminate plan looks for. */
export interface SessionCriteria {
  olderThanMs?: number;
  idleInTransactionMs?: number;
  /** Only sessions of this database; every database when absent. */
  database?: string;
  includeOwnUser: boolean;
}

const idleInTransactionStates = `('idle in transaction', 'idle in transaction (aborted)')`;

/** Client backends (never this one) that match the criteria, longest first. */
export async function listSessions(client: pg.Client, criteria: SessionCriteria): Promise<ListedSession[]> {
  const { rows } = await client.query<Omit<ListedSession, 'query'> & { query: string | null }>(
    `select pid, usename as "user", datname as database, state,
            case when state = 'active' then 'long query' else 'idle in transaction' end as reason,
            backend_start::text as backend_start, query_start::text as query_start,
            (extract(epoch from now() - case when state = 'active' then query_start else state_change end) * 1000)::float8 as "durationMs",
            left(query, 400) as query
       from pg_stat_activity
      where backend_type = 'client backend' and pid <> pg_backend_pid()
        and ($1::text is null or datname = $1)
        and ($2::boolean or usename is distinct from current_user)
        and (($3::float8 is not null and state = 'active' and query_start < now() - $3::float8 * interval '1 millisecond')
          or ($4::float8 is not null and state in ${idleInTransactionStates} and state_change < now() - $4::float8 * interval '1 millisecond'))
      order by "durationMs" desc, pid`,
    [criteria.database ?? null, criteria.includeOwnUser, criteria.olderThanMs ?? null, criteria.idleInTransactionMs ?? null],
  );
  return rows.map((row) => ({ ...row, query: shortQuery(row.query ?? '') }));
}

/** What happened to one planned session at run time. */
export interface TerminationResult {
  session: PlannedSession;
  outcome: 'terminated' | 'signalled' | 'gone' | 'pid reused' | 'query changed';
  user?: string | null;
  database?: string | null;
}

/**
 * Terminates exactly the planned sessions that still have the planned pid, backend start, query start and
 * kind of state, in one statement; reports what became of every planned session.
 */
export async function terminatePlanned(client: pg.Client, planned: readonly PlannedSession[]): Promise<TerminationResult[]> {
  if (planned.length === 0) return [];
  const { rows: version } = await client.query<{ waits: boolean }>(
    `select current_setting('server_version_num')::int >= 140000 as waits`,
  );
  const terminate = version[0]?.waits ? 'pg_terminate_backend(a.pid, 5000)' : 'pg_terminate_backend(a.pid)';
  const { rows } = await client.query<{
    pid: number;
    matched: boolean;
    terminated: boolean | null;
    user: string | null;
    database: string | null;
    alive_start: string | null;
  }>(
    `select p.pid, a.pid is not null as matched,
            case when a.pid is not null then ${terminate} end as terminated,
            a.usename as "user", a.datname as database,
            (select x.backend_start::text from pg_stat_activity x where x.pid = p.pid) as alive_start
       from unnest($1::int[], $2::timestamptz[], $3::timestamptz[], $4::text[]) as p(pid, backend_start, query_start, reason)
       left join pg_stat_activity a
         on a.pid = p.pid and a.backend_type = 'client backend' and a.pid <> pg_backend_pid()
        and a.backend_start = p.backend_start and a.query_start is not distinct from p.query_start
        and case when p.reason = 'long query' then a.state = 'active' else a.state in ${idleInTransactionStates} end`,
    [
      planned.map((session) => session.pid),
      planned.map((session) => session.backend_start),
      planned.map((session) => session.query_start),
      planned.map((session) => session.reason),
    ],
  );
  return planned.map((session) => {
    const row = rows.find((candidate) => candidate.pid === session.pid);
    if (!row || !row.matched) {
      const outcome = !row?.alive_start ? 'gone' : row.alive_start === session.backend_start ? 'query changed' : 'pid reused';
      return { session, outcome };
    }
    return { session, outcome: row.terminated ? 'terminated' : 'signalled', user: row.user, database: row.database };
  });
}

/** The first 80 characters of a query on one line, with password literals hidden. */
export function shortQuery(query: string): string {
  const folded = query.replace(/\s+/g, ' ').trim().replace(/(password\s*(?:=\s*)?)'(?:[^']|'')*'?/gi, "$1'***'");
  return folded.length > 80 ? `${folded.slice(0, 80)}…` : folded;
}
