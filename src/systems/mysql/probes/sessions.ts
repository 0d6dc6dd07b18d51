import { ownThreadIds, type MysqlSession } from '../connection.js';

/** One connection running a statement, as the processlist shows it. */
export interface RunningStatement {
  id: number;
  user: string;
  host: string;
  db: string | null;
  seconds: number;
  /** When the statement started, within a second (see `statementStartSql`). */
  startedAt: Date;
  query: string;
  state: string | null;
}

/** Who a statement list leaves out: the bot's own connections always, and optionally one user. */
export interface StatementFilter {
  minSeconds: number;
  database?: string;
  excludeUser?: string;
  limit?: number;
}

/**
 * When a processlist row's statement started: the clock when the row is read (`SYSDATE(6)`), less its whole
 * seconds `TIME`. `NOW()` would be the reading statement's own start, to the second, so two reads of one
 * statement could differ by up to 2 s plus however long the server took to fill the processlist; this one
 * is off by under a second whatever the load.
 */
export const statementStartSql = 'SYSDATE(6) - INTERVAL TIME SECOND';

/** Threads that are the server's own, never a client's statement. */
const serverCommands = ['Sleep', 'Daemon', 'Binlog Dump', 'Binlog Dump GTID', 'Killed', 'Slave_IO', 'Slave_SQL', 'Slave_worker', 'Connect'];

/**
 * The client statements running at least `minSeconds`, longest first, from `information_schema.PROCESSLIST`;
 * this connection and every other connection the bot has open are left out.
 */
export async function runningStatements(session: MysqlSession, filter: StatementFilter): Promise<RunningStatement[]> {
  const own = [session.threadId, ...(session.server ? ownThreadIds(session.server) : [])];
  const rows = await session.query<{ id: number; user: string; host: string; db: string | null; seconds: number; started_at: Date; query: string; state: string | null }>(
    `SELECT ID AS id, USER AS user, HOST AS host, DB AS db, TIME AS seconds, ${statementStartSql} AS started_at, INFO AS query, STATE AS state
       FROM information_schema.PROCESSLIST
      WHERE INFO IS NOT NULL AND COMMAND NOT IN (${serverCommands.map(() => '?').join(', ')})
        AND USER NOT IN ('system user', 'event_scheduler') AND ID NOT IN (${own.map(() => '?').join(', ')})
        AND TIME >= ? AND (? IS NULL OR DB = ?) AND (? IS NULL OR USER <> ?)
      ORDER BY TIME DESC, ID
      LIMIT ?`,
    [...serverCommands, ...own, filter.minSeconds, filter.database ?? null, filter.database ?? null, filter.excludeUser ?? null, filter.excludeUser ?? null, filter.limit ?? 1000],
  );
  return rows.map((row) => ({ ...row, id: Number(row.id), seconds: Number(row.seconds), startedAt: new Date(row.started_at) }));
}
