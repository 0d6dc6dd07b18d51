import mysql from 'mysql2/promise';
import type { MysqlSession, MysqlSessionOptions } from './connection.js';

/**
 * The one file that loads mysql2: `connection.ts` imports it with `import()`, so a bot without a MySQL
 * target never loads the driver.
 */
export async function connectWithDriver(options: MysqlSessionOptions): Promise<MysqlSession> {
  const url = new URL(options.url);
  const connection = await mysql.createConnection({
    host: url.hostname,
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    ...(url.pathname.length > 1 ? { database: decodeURIComponent(url.pathname.slice(1)) } : {}),
    connectTimeout: options.connectTimeoutMs,
    multipleStatements: false,
    dateStrings: false,
    supportBigNumbers: true,
    bigNumberStrings: false,
    decimalNumbers: true,
    connectAttributes: { program_name: options.programName },
    timezone: 'Z',
  });
  connection.on('error', () => undefined);
  await connection.query("SET time_zone = '+00:00'");
  if (options.queryTimeoutMs) await capStatementsOnServer(connection, options.queryTimeoutMs);
  const closeSocket = (): void => {
    connection.destroy();
    (connection as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
  };
  const clientTimeout = options.queryTimeoutMs ? { timeout: options.queryTimeoutMs + clientGraceMs } : {};
  return {
    threadId: connection.threadId,
    async query<Row>(sql: string, values: unknown[] = []): Promise<Row[]> {
      try {
        const [rows] = await connection.query({ sql, values, ...clientTimeout });
        return (Array.isArray(rows) ? rows : [rows]) as Row[];
      } catch (error) {
        if ((error as { code?: unknown }).code === 'PROTOCOL_SEQUENCE_TIMEOUT') closeSocket();
        throw error;
      }
    },
    async end() {
      await connection.end();
    },
    destroy: closeSocket,
  };
}

/** How long after the server's own cap the client gives up on a statement and closes the socket. */
const clientGraceMs = 1000;

/**
 * Makes the server abort each statement of this session after `ms` (MariaDB `max_statement_time`, MySQL
 * `max_execution_time` for reads), so a statement stuck behind a lock ends on the server too.
 */
async function capStatementsOnServer(connection: mysql.Connection, ms: number): Promise<void> {
  try {
    await connection.query('SET SESSION max_statement_time = ?', [ms / 1000]);
  } catch {
    await connection.query('SET SESSION max_execution_time = ?', [Math.ceil(ms)]).catch(() => undefined);
  }
}
