import pg from 'pg';
import { UserError } from '../../../core/errors.js';
import { unreachableReason, withDatabase } from '../probes/connect.js';
import { abortableClient } from '../abortable-client.js';
import { withoutPassword } from '../../../core/mask.js';

const connectTimeoutMs = 5000;

/** How a PostgreSQL client tool reaches a database: a URL without the password, and the password in the environment. */
export interface ToolConnection {
  /** For `--dbname`: the URL with the password removed and `application_name` set. */
  dbname: string;
  env: NodeJS.ProcessEnv;
}

/** The arguments and environment for `pg_dump`/`pg_restore` against `database` on the server of `url`. */
export function toolConnection(url: string, database: string, applicationName: string): ToolConnection {
  const parsed = new URL(withDatabase(url, database));
  const password = decodeURIComponent(parsed.password) || parsed.searchParams.get('password') || '';
  parsed.password = '';
  parsed.searchParams.delete('password');
  parsed.searchParams.set('application_name', applicationName);
  const env: NodeJS.ProcessEnv = { ...process.env, PGCONNECT_TIMEOUT: '10' };
  delete env.PGPASSWORD;
  if (password) env.PGPASSWORD = password;
  return { dbname: parsed.toString(), env };
}

/** The database a URL names (its path), else the user name, else `postgres`, as libpq does. */
export function databaseOfUrl(url: string): string {
  const parsed = new URL(url);
  return decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username) || 'postgres';
}

/** True when two URLs point at the same server (host and port), whatever their databases and users. */
export function sameServer(a: string, b: string): boolean {
  const key = (url: string): string => {
    const parsed = new URL(url);
    const host = parsed.hostname === 'localhost' ? '127.0.0.1' : parsed.hostname;
    return `${host}:${parsed.port || '5432'}`;
  };
  return key(a) === key(b);
}

/**
 * Opens one connection for backup work (UTC, application_name `maintbot-backup`). Aborting `signal` closes
 * the socket. A failure to connect is a `UserError` naming the masked URL, never the password.
 */
export async function openBackupClient(url: string, signal: AbortSignal, statementTimeoutMs = 0): Promise<pg.Client> {
  signal.throwIfAborted();
  const { client, destroy } = abortableClient(
    { connectionString: url, connectionTimeoutMillis: connectTimeoutMs, statement_timeout: statementTimeoutMs, application_name: 'maintbot-backup', options: '-c TimeZone=UTC' },
    signal,
  );
  try {
    await client.connect();
  } catch (error) {
    destroy();
    signal.throwIfAborted();
    throw new UserError(`PostgreSQL is not reachable: ${withoutPassword(unreachableReason(error, url), url)}.`);
  }
  return client;
}

/** Ends a connection, closing the socket when it does not end within a second. */
export async function closeBackupClient(client: pg.Client): Promise<void> {
  const timer = setTimeout(() => client.connection.stream.destroy(), 1000);
  try {
    await client.end();
  } catch {
    client.connection.stream.destroy();
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `work` with a fresh connection and always closes it. */
export async function withBackupClient<T>(url: string, signal: AbortSignal, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await openBackupClient(url, signal);
  try {
    return await work(client);
  } finally {
    await closeBackupClient(client);
  }
}

/** The server's major version, e.g. 15. */
export async function serverMajor(client: pg.Client): Promise<number> {
  const result = await client.query<{ v: string }>("select current_setting('server_version_num') as v");
  return Math.floor(Number(result.rows[0]!.v) / 10_000);
}

/** A double-quoted SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

