import { ownThreadIds, type MysqlSession } from '../connection.js';

/** One connection running a statement, as the processlist shows it. */
export interface RunningStatement {
  id: number;
  user: string;
  host: string;
  db: string | null;
  seconds: number;
  /** When the statement started, to the second (`NOW() - TIME`). */
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

/** Threads that are the server's own, never a client's statement. */
const serverCommands = ['Sleep', 'Daemon', 'Binlog Dump', 'Binlog Dump GTID', 'Killed', 'Slave_IO', 'Slave_SQL', 'Slave_worker', 'Connect'];

/**
 * The client statements running at least `minSeconds`, longest first, from `information_schema.PROCESSLIST`;
 * this connection and every other connection the bot has open are left out.
 */
export async function runningStatements(session: MysqlSession, filter: StatementFilter): Promise<RunningStatement[]> {
  const own = [session.threadId, ...ownThreadIds()];
  const rows = await session.query<{ id: number; user: string; host: string; db: string | null; seconds: number; started_at: Date; query: string; state: string | null }>(
    `SELECT ID AS id, USER AS user, HOST AS host, DB AS db, TIME AS seconds, NOW() - INTERVAL TIME SECOND AS started_at, INFO AS query, STATE AS state
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
