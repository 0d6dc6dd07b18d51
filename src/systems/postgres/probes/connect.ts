import pg from 'pg';
import { TargetUnreachable } from '../../../core/probe.js';
import { postgresErrorCode } from '../../../core/pg-error-code.js';
import { maskUrl, withoutPassword } from '../../../core/mask.js';

/** How long a health connection may take to be ready before it counts as unreachable. */
export const CONNECT_TIMEOUT_MS = 5000;
/** Server-side cap on each health query, so a stuck catalog read cannot pin a backend. */
const STATEMENT_TIMEOUT_MS = 5000;


/** The same URL pointing at another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/**
 * Opens one short-lived health connection (pipelined, with connect and statement timeouts).
 * Aborting `signal` destroys the socket at once. Failure to connect throws `TargetUnreachable`
 * with a reason that names the masked URL and never the password.
 */
export async function openHealthClient(url: string, signal: AbortSignal): Promise<pg.Client> {
  signal.throwIfAborted();
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    statement_timeout: STATEMENT_TIMEOUT_MS,
    application_name: 'maintbot-health',
    pipeline: true,
  });
  client.on('error', () => undefined);
  const destroy = (): void => destroyClient(client);
  signal.addEventListener('abort', destroy, { once: true });
  client.once('end', () => signal.removeEventListener('abort', destroy));
  try {
    await client.connect();
    return client;
  } catch (error) {
    destroy();
    signal.throwIfAborted();
    throw new TargetUnreachable(withoutPassword(unreachableReason(error, url), url), { cause: error });
  }
}

/** Ends a health connection: politely when idle, by closing the socket when not. */
export async function closeHealthClient(client: pg.Client): Promise<void> {
  const timer = setTimeout(() => destroyClient(client), 1000);
  try {
    await client.end();
  } catch {
    destroyClient(client);
  } finally {
    clearTimeout(timer);
  }
}

function destroyClient(client: pg.Client): void {
  client.connection.stream.destroy();
}

/** Why a connection failed, in words a user can act on. */
export function unreachableReason(error: unknown, url: string): string {
  const where = maskUrl(url);
  const code = postgresErrorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  const database = databaseOf(url);
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
    case '3D000':
      return `database "${database}" does not exist at ${where}`;
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


function databaseOf(url: string): string {
  try {
    const parsed = new URL(url);
    return decodeURIComponent(parsed.pathname.slice(1)) || decodeURIComponent(parsed.username) || 'postgres';
  } catch {
    return '(unknown)';
  }
}

