import { maskUrl, withoutPassword } from '../../core/mask.js';
import { describeConnectError } from '../../core/network.js';
import { TargetUnreachable } from '../../core/probe.js';

/** How long any maintbot connection to MySQL may take to be ready before it counts as unreachable. */
export const CONNECT_TIMEOUT_MS = 5000;

/** How one kind of work connects: health checks and maintenance actions differ only in these. */
export interface MysqlSessionOptions {
  /** `mysql://user:password@host:3306/database` */
  url: string;
  /** Sent as the connection attribute `program_name`, e.g. `maintbot-health`. */
  programName: string;
  connectTimeoutMs: number;
  /** Cap on each statement: the server aborts it after this, the client gives up a second later; absent for none. */
  queryTimeoutMs?: number;
  /** The error thrown when the server cannot be reached; `TargetUnreachable` when absent. */
  unreachable?: (reason: string) => Error;
}

/** One open MySQL connection, as the checks and actions use it; what `driver.ts` returns. */
export interface MysqlSession {
  /** The server's id of this connection (`CONNECTION_ID()`, the processlist `ID`). */
  readonly threadId: number;
  /** `host:port` of the server, set by `openMysqlSession`; the bot's own connections are told apart per server. */
  readonly server?: string;
  /** Runs one statement with `?` placeholders; the rows, or the one result header of a statement without rows. */
  query<Row>(sql: string, values?: unknown[]): Promise<Row[]>;
  end(): Promise<void>;
  destroy(): void;
}

const ownThreads = new Map<string, Set<number>>();

/**
 * The processlist ids of the connections this process has open to `server` (`host:port`), so checks and kills
 * leave the bot's own alone; ids are per server, so another server's are never among them.
 */
export function ownThreadIds(server: string): number[] {
  return [...(ownThreads.get(server) ?? [])];
}

/** `host:port` of a `mysql://` URL, the key of its server's connections. */
export function serverOf(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '3306'}`;
  } catch {
    return url;
  }
}

function remember(server: string, threadId: number): void {
  const ids = ownThreads.get(server) ?? new Set<number>();
  ids.add(threadId);
  ownThreads.set(server, ids);
}

function forget(server: string, threadId: number): void {
  ownThreads.get(server)?.delete(threadId);
}

/**
 * Opens one connection, loading mysql2 on first use. Aborting `signal` destroys the socket at once. A
 * failure to connect throws `unreachable(reason)` (or `TargetUnreachable`), where the reason names the
 * masked URL and never the password.
 *
 * @example
 * const session = await openMysqlSession({ url, programName: 'maintbot-health', connectTimeoutMs: 5000 }, signal);
 * try { await session.query('select 1'); } finally { await closeMysqlSession(session); }
 */
export async function openMysqlSession(options: MysqlSessionOptions, signal: AbortSignal): Promise<MysqlSession> {
  signal.throwIfAborted();
  const { connectWithDriver } = await import('./driver.js');
  let session: MysqlSession;
  try {
    session = await connectWithDriver(options);
  } catch (error) {
    signal.throwIfAborted();
    const reason = withoutPassword(unreachableReason(error, options.url), options.url);
    throw options.unreachable ? options.unreachable(reason) : new TargetUnreachable(reason, { cause: error });
  }
  const destroy = (): void => session.destroy();
  if (signal.aborted) destroy();
  signal.addEventListener('abort', destroy, { once: true });
  const server = serverOf(options.url);
  remember(server, session.threadId);
  const end = session.end.bind(session);
  return {
    threadId: session.threadId,
    server,
    query: (sql, values) => session.query(sql, values),
    end: async () => {
      signal.removeEventListener('abort', destroy);
      forget(server, session.threadId);
      await end();
    },
    destroy: () => {
      signal.removeEventListener('abort', destroy);
      forget(server, session.threadId);
      destroy();
    },
  };
}

/** Ends a connection: politely when idle, by closing the socket when it does not end within a second. */
export async function closeMysqlSession(session: MysqlSession): Promise<void> {
  const timer = setTimeout(() => session.destroy(), 1000);
  try {
    await session.end();
  } catch {
    session.destroy();
  } finally {
    clearTimeout(timer);
  }
}

/** Runs `work` with a fresh connection and always closes it. */
export async function withMysqlSession<T>(options: MysqlSessionOptions, signal: AbortSignal, work: (session: MysqlSession) => Promise<T>): Promise<T> {
  const session = await openMysqlSession(options, signal);
  try {
    return await work(session);
  } finally {
    await closeMysqlSession(session);
  }
}

/** The database a URL names (its path); undefined when it names none. */
export function databaseOfMysqlUrl(url: string): string | undefined {
  const path = new URL(url).pathname.slice(1);
  return path ? decodeURIComponent(path) : undefined;
}

/** The same URL pointing at another database on the same server. */
export function withMysqlDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

/** A MySQL error's own message (which carries no credentials), or a generic text for anything else. */
export function mysqlServerMessage(error: unknown): string {
  const sqlMessage = (error as { sqlMessage?: unknown } | undefined)?.sqlMessage;
  if (error instanceof Error && typeof sqlMessage === 'string') return sqlMessage;
  return 'the connection failed during the check';
}

/** The MySQL error code (`ER_…`) or the socket code (`ECONNREFUSED`) of an error. */
export function mysqlErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

const mysqlReasons: Record<string, string> = {
  PROTOCOL_CONNECTION_LOST: 'the server closed the connection',
  ER_ACCESS_DENIED_ERROR: 'access denied (user or password)',
  ER_DBACCESS_DENIED_ERROR: 'the user may not use this database',
  ER_BAD_DB_ERROR: 'the database does not exist',
  ER_CON_COUNT_ERROR: 'the server refuses new connections (too many connections)',
  ER_HOST_NOT_PRIVILEGED: 'the server does not let this host connect',
  ER_HOST_IS_BLOCKED: 'the server blocks this host after too many failed connects (FLUSH HOSTS)',
};

/** Why a connection failed, in words a user can act on, naming the masked URL. */
export function unreachableReason(error: unknown, url: string): string {
  const where = maskUrl(url);
  const reason = mysqlReasons[mysqlErrorCode(error) ?? ''];
  if (reason) return `${reason} at ${where}`;
  return describeConnectError(error, where);
}
