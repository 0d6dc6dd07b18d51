import type { Redis } from 'ioredis';
import { TargetUnreachable } from '../../core/probe.js';
import { abortable, describeConnectError } from '../../core/network.js';

const connectTimeoutMs = 5_000;

/** `host:port` of a Redis URL, for messages (never the URL, which may hold a password). */
export function redisAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || '127.0.0.1'}:${parsed.port || '6379'}`;
  } catch {
    return 'the configured Redis';
  }
}

/** The database a Redis URL names (`redis://host/2`), 0 when it names none. */
export function redisUrlDatabase(url: string): number {
  try {
    const db = Number(new URL(url).pathname.slice(1));
    return Number.isInteger(db) && db >= 0 ? db : 0;
  } catch {
    return 0;
  }
}

/** A `TargetUnreachable` with a safe reason: wrong password, missing password, or the connection error's code. */
export function redisUnreachable(error: unknown, address: string): TargetUnreachable {
  const message = error instanceof Error ? error.message : '';
  if (message.startsWith('WRONGPASS')) return new TargetUnreachable(`authentication failed at ${address} (wrong user or password)`);
  if (message.startsWith('NOAUTH')) return new TargetUnreachable(`authentication required at ${address} (put the password in the URL)`);
  return new TargetUnreachable(describeConnectError(error, address));
}

/**
 * Connects to the Redis of `url` (in database `db` when given), runs `work` and disconnects. No retries and
 * no offline queue: an unreachable Redis is a `TargetUnreachable` at once, and `signal` disconnects. ioredis
 * loads on the first call, so a bot that never talks to a Redis target never loads it.
 */
export async function withRedis<T>(url: string, signal: AbortSignal, work: (client: Redis) => Promise<T>, db?: number): Promise<T> {
  const client = await openRedis(url, signal, db === undefined ? {} : { db });
  try {
    return await onRedis(client, url, signal, work(client));
  } finally {
    await closeRedis(client);
  }
}

/** How `openRedis` connects: to database `db` when given; `pipelined` sends the commands of one tick in one write. */
export interface RedisOpenOptions {
  db?: number;
  pipelined?: boolean;
}

/**
 * Opens a connection to the Redis of `url`, as `withRedis` does; close it with `closeRedis`. A failure to connect
 * or to log in is a `TargetUnreachable`; aborting `signal` disconnects.
 */
export async function openRedis(url: string, signal: AbortSignal, { db, pipelined = false }: RedisOpenOptions = {}): Promise<Redis> {
  const { Redis: Client } = await import('ioredis');
  signal.throwIfAborted();
  const address = redisAddress(url);
  const client = new Client(url, {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    reconnectOnError: () => false,
    enableOfflineQueue: false,
    enableAutoPipelining: pipelined,
    ...(db === undefined ? {} : { db }),
  });
  let lastError: unknown;
  client.on('error', (error: unknown) => {
    lastError = error;
  });
  const stop = (): void => client.disconnect();
  signal.addEventListener('abort', stop, { once: true });
  client.once('end', () => signal.removeEventListener('abort', stop));
  try {
    await abortable(client.connect(), signal, stop);
    return client;
  } catch (error) {
    await closeRedis(client);
    if (signal.aborted) throw signal.reason;
    throw redisUnreachable(lastError ?? error, address);
  }
}

/**
 * `work`'s answer on a connection to `url`, or `signal`'s reason as soon as it aborts (disconnecting); a refused
 * login (NOAUTH, WRONGPASS) is a `TargetUnreachable`.
 */
export function onRedis<T>(client: Redis, url: string, signal: AbortSignal, work: Promise<T>): Promise<T> {
  return abortable(work, signal, () => client.disconnect()).catch((error: unknown) => {
    if (signal.aborted) throw signal.reason;
    const message = error instanceof Error ? error.message : '';
    if (message.startsWith('NOAUTH') || message.startsWith('WRONGPASS')) throw redisUnreachable(error, redisAddress(url));
    throw error;
  });
}

/**
 * Closes the connection and waits (up to a second) until the server has closed its side too, so a caller that
 * bounds its connections to a server never counts one as gone that the server still holds.
 */
export async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  let timer: NodeJS.Timeout | undefined;
  const ended = new Promise<void>((resolve) => {
    client.once('end', resolve);
    timer = setTimeout(resolve, 1000);
  });
  client.disconnect();
  await ended;
  clearTimeout(timer);
}
