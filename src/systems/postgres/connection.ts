import type pg from 'pg';
import { maskUrl, withoutPassword } from '../../core/mask.js';
import { postgresErrorCode } from '../../core/pg-error-code.js';
import { TargetUnreachable } from '../../core/probe.js';
import { closedDatabase, forbiddenDatabase, fullDatabase, missingDatabase, type DatabaseRefusal } from './database-access.js';

/** `name` as a quoted SQL identifier (`"a""b"`), as pg's own `escapeIdentifier`, without loading the driver. */
export function escapeIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** How long any maintbot connection to PostgreSQL may take to be ready before it counts as unreachable. */
export const CONNECT_TIMEOUT_MS = 5000;

/** How one kind of work connects: health checks, maintenance actions and backups differ only in these. */
export interface PostgresConnection {
  url: string;
  /** Shown in `pg_stat_activity`, e.g. `maintbot-health`. */
  applicationName: string;
  /** Server-side cap on each statement; 0 for none. */
  statementTimeoutMs: number;
  lockTimeoutMs?: number;
  /** Server settings sent at start-up, e.g. `-c TimeZone=UTC`. */
  serverOptions?: string;
  pipeline?: boolean;
  /** A statement run right after connecting; its failure counts as not reachable. */
  setup?: string;
  /** The error thrown when the server cannot be reached, from a reason that names the masked URL; `TargetUnreachable` when absent. */
  unreachable?: (reason: string) => Error;
}

/**
 * Opens one connection. Aborting `signal` destroys the socket at once, so a hung server or a long
 * statement never outlives the work that asked for it; errors after that are swallowed (the pending
 * query already rejected). A failure to connect throws `connection.unreachable(reason)`, where the
 * reason names the masked URL and never the password.
 *
 * @example
 * const client = await openPostgresClient({ url, applicationName: 'maintbot-health', statementTimeoutMs: 5000 }, signal);
 * try { await client.query('select 1'); } finally { await closePostgresClient(client); }
 */
export async function openPostgresClient(connection: PostgresConnection, signal: AbortSignal): Promise<pg.Client> {
  const { default: driver } = await import('pg');
  signal.throwIfAborted();
  const { url } = connection;
  const client = new driver.Client({
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: connection.statementTimeoutMs,
    ...(connection.lockTimeoutMs === undefined ? {} : { lock_timeout: connection.lockTimeoutMs }),
    application_name: connection.applicationName,
    ...(connection.serverOptions === undefined ? {} : { options: connection.serverOptions }),
    ...(connection.pipeline ? { pipeline: true } : {}),
  });
  client.on('error', () => undefined);
  const destroy = (): void => destroyClient(client);
  signal.addEventListener('abort', destroy, { once: true });
  client.once('end', () => signal.removeEventListener('abort', destroy));
  try {
    await client.connect();
    if (connection.setup) await client.query(connection.setup);
    return client;
  } catch (error) {
    destroy();
    signal.throwIfAborted();
    const reason = withoutPassword(unreachableReason(error, url), url);
    const note = databaseRefusal(error, url)?.note;
    throw connection.unreachable ? connection.unreachable(reason) : new TargetUnreachable(reason, { cause: error, ...(note === undefined ? {} : { note }) });
  }
}

/** Ends a connection: politely when idle, by closing the socket when it does not end within a second. */
export async function closePostgresClient(client: pg.Client): Promise<void> {
  const timer = setTimeout(() => destroyClient(client), 1000);
  try {
    await client.end();
  } catch {
    destroyClient(client);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `work` with a fresh connection and always closes it. */
export async function withPostgresClient<T>(connection: PostgresConnection, signal: AbortSignal, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = await openPostgresClient(connection, signal);
  try {
    return await work(client);
  } finally {
    await closePostgresClient(client);
  }
}

function destroyClient(client: pg.Client): void {
  client.connection.stream.destroy();
}

/** The same URL pointing at another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
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

/** The server's major version, e.g. 15. */
export async function serverMajor(client: pg.Client): Promise<number> {
  const result = await client.query<{ v: string }>("select current_setting('server_version_num') as v");
  return Math.floor(Number(result.rows[0]!.v) / 10_000);
}

/**
 * Why a connection to one database was refused when the server itself would take it (the database is missing,
 * closed, forbidden to the user or full); undefined for any other failure.
 */
export function databaseRefusal(error: unknown, url: string): DatabaseRefusal | undefined {
  const where = maskUrl(url);
  const message = error instanceof Error ? error.message : String(error);
  switch (postgresErrorCode(error)) {
    case '3D000':
      return missingDatabase(databaseNamedBy(url), where);
    case '55000':
      return closedDatabase(databaseNamedBy(url), where);
    case '42501':
      return forbiddenDatabase(databaseNamedBy(url), userNamedBy(url), where);
    case '53300':
      return /for database/.test(message) ? fullDatabase(databaseNamedBy(url), where) : undefined;
  }
  return undefined;
}

/** Why a connection failed, in words a user can act on. */
export function unreachableReason(error: unknown, url: string): string {
  const where = maskUrl(url);
  const code = postgresErrorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const refusal = databaseRefusal(error, url);
  if (refusal !== undefined) return refusal.reason;
  switch (code) {
    case 'ECONNREFUSED':
      return `connection refused at ${where}`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `host not found: ${where}`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `host unreachable: ${where}`;
    case 'ETIMEDOUT':
      return `connection timed out at ${where}`;
    case 'ECONNRESET':
      return `connection reset by ${where}`;
    case '28P01':
      return `password authentication failed at ${where}`;
    case '28000':
      return `the server rejected the login (${message}) at ${where}`;
    case '53300':
      return `the server refuses new connections (too many clients) at ${where}`;
    case '57P03':
      return `the server is starting up or shutting down at ${where}`;
  }
  if (message === 'timeout expired') return `no answer to the connection in ${CONNECT_TIMEOUT_MS / 1000} s at ${where}`;
  if (/terminated/i.test(message)) return `the server closed the connection at ${where}`;
  if (/SASL|password must be a string/i.test(message)) return `the server asks for a password the URL does not give at ${where}`;
  if (/does not support SSL/i.test(message)) return `the server does not accept TLS, but the URL asks for it, at ${where}`;
  return `could not connect to ${where}`;
}

function userNamedBy(url: string): string {
  try {
    return decodeURIComponent(new URL(url).username) || '(the default user)';
  } catch {
    return '(unknown)';
  }
}

function databaseNamedBy(url: string): string {
  try {
    return databaseOfUrl(url);
  } catch {
    return '(unknown)';
  }
}
