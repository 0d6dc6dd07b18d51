import type pg from 'pg';
import { withoutPassword } from '../../core/mask.js';
import { postgresErrorCode } from '../../core/pg-error-code.js';
import { TargetUnreachable } from '../../core/probe.js';
import type { SessionKind } from '../../core/shared-sessions.js';
import { closePostgresClient, databaseRefusal, openPostgresClient, unreachableReason } from './connection.js';
import { healthConnection } from './probes/connect.js';

/** How the run's shared connection to a server is opened; a refusal of the opener's own database is not the server's. */
export function postgresSession(url: string): SessionKind<pg.Client> {
  return {
    open: (signal) => openPostgresClient(healthConnection(url), signal),
    close: closePostgresClient,
    ownFailure: (error) => error instanceof TargetUnreachable && isDatabaseRefusal(error.cause, url),
  };
}

function isDatabaseRefusal(error: unknown, url: string): boolean {
  if (databaseRefusal(error, url) !== undefined) return true;
  return postgresErrorCode(error) === '28000' && /database "/.test(error instanceof Error ? error.message : '');
}

/** A connection failure of the shared connection, told with this target's URL (it may have been opened for another database). */
export function inTermsOf(error: unknown, url: string): unknown {
  if (!(error instanceof TargetUnreachable) || error.cause === undefined) return error;
  const note = databaseRefusal(error.cause, url)?.note;
  return new TargetUnreachable(withoutPassword(unreachableReason(error.cause, url), url), { cause: error.cause, ...(note === undefined ? {} : { note }) });
}

const sqlIds = new Map<string, number>();

/** The key of a server-wide read: who reads, which statement (by a short id, as the statements are long) and its parameters. */
export function readKey(reader: string, sql: string, values: unknown[] | undefined): string {
  let id = sqlIds.get(sql);
  if (id === undefined) {
    id = sqlIds.size;
    sqlIds.set(sql, id);
  }
  return values === undefined ? `${reader} #${id}` : `${reader} #${id} ${JSON.stringify(values)}`;
}
