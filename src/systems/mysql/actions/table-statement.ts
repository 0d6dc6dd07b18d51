import type { MysqlSession } from '../connection.js';
import type { MysqlTable } from './tables.js';

/** One row of what ANALYZE, OPTIMIZE, CHECK or REPAIR TABLE answer. */
interface TableMessage {
  Table: string;
  Op: string;
  Msg_type: string;
  Msg_text: string;
}

/** The outcome of a table maintenance statement: its messages, and whether the server reported an error. */
export interface TableStatementResult {
  ok: boolean;
  messages: string[];
}

/** Runs `<verb> TABLE` on one table and reads the server's messages (it answers errors as rows, not as an error). */
export async function runTableStatement(session: MysqlSession, verb: 'ANALYZE' | 'OPTIMIZE', table: MysqlTable): Promise<TableStatementResult> {
  const rows = await session.query<TableMessage>(`${verb} TABLE ${table.quoted}`);
  return {
    ok: rows.every((row) => row.Msg_type !== 'error') && rows.some((row) => row.Msg_type === 'status' && /^OK$|up to date/i.test(row.Msg_text)),
    messages: rows.map((row) => `${row.Msg_type}: ${row.Msg_text}`),
  };
}
