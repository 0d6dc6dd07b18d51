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
  return {
    threadId: connection.threadId,
    async query<Row>(sql: string, values: unknown[] = []): Promise<Row[]> {
      const [rows] = await connection.query({ sql, values, ...(options.queryTimeoutMs ? { timeout: options.queryTimeoutMs } : {}) });
      return (Array.isArray(rows) ? rows : [rows]) as Row[];
    },
    async end() {
      await connection.end();
    },
    destroy() {
      connection.destroy();
    },
  };
}
