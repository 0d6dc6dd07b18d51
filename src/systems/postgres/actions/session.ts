import type pg from 'pg';
import { CodedError, UserError, errorMessage } from '../../../core/errors.js';
import { closePostgresClient, openPostgresClient, withDatabase } from '../connection.js';
import { describePlace, type PostgresPlace } from './target.js';
import { maskUrl, withoutPassword } from '../../../core/mask.js';

/** Cap on catalog reads and other short statements of a maintenance session. */
const catalogStatementTimeoutMs = 10_000;
/** How long a maintenance statement may wait for its lock before giving up rather than queueing others behind it. */
export const maintenanceLockTimeoutMs = 5000;

/** One short-lived connection for one maintenance action. */
export interface MaintenanceSession {
  client: pg.Client;
  place: PostgresPlace;
  /** Runs a long maintenance statement: no statement timeout (the step's timeout aborts it), a short lock timeout. */
  maintain(sql: string): Promise<pg.QueryResult>;
  close(): Promise<void>;
}

/**
 * Opens a connection to the place's database with sensible timeouts, UTC ISO timestamps and
 * `application_name` maintbot. Aborting `signal` closes the socket; the server then cancels the running
 * statement within a second. A connection failure is a `UserError` naming the masked URL, never the password.
 */
export async function openMaintenanceSession(place: PostgresPlace, signal: AbortSignal): Promise<MaintenanceSession> {
  const client = await openPostgresClient(
    {
      url: withDatabase(place.target.url, place.database),
      applicationName: 'maintbot',
      statementTimeoutMs: catalogStatementTimeoutMs,
      lockTimeoutMs: maintenanceLockTimeoutMs,
      serverOptions: '-c TimeZone=UTC -c DateStyle=ISO',
      setup: `select set_config('client_connection_check_interval', '1000', false)
        where current_setting('server_version_num')::int >= 140000`,
      unreachable: (reason) => new UserError(`PostgreSQL ${describePlace(place)} is not reachable: ${reason}.`),
    },
    signal,
  );
  const session: MaintenanceSession = {
    client,
    place,
    async maintain(sql) {
      await client.query('set statement_timeout = 0');
      try {
        return await client.query(sql);
      } catch (error) {
        signal.throwIfAborted();
        throw maintenanceFailure(error, sql, place);
      } finally {
        await client.query(`set statement_timeout = ${catalogStatementTimeoutMs}`).catch(() => undefined);
      }
    },
    close: () => closePostgresClient(client),
  };
  return session;
}

/** Runs `work` in a fresh session and always closes it. */
export async function withMaintenanceSession<T>(
  place: PostgresPlace,
  signal: AbortSignal,
  work: (session: MaintenanceSession) => Promise<T>,
): Promise<T> {
  const session = await openMaintenanceSession(place, signal);
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}

function maintenanceFailure(error: unknown, sql: string, place: PostgresPlace): Error {
  const code = (error as { code?: unknown }).code;
  if (code === '55P03') {
    return new UserError(
      `${sql} could not get its lock within ${maintenanceLockTimeoutMs / 1000} s in ${describePlace(place)}: another session holds a conflicting lock. Nothing was changed; try again when it is quieter.`,
    );
  }
  if (code === '57014') return new UserError(`${sql} was cancelled in ${describePlace(place)} before it finished.`);
  if (code === '42501') return new UserError(`The bot's database user may not run ${sql} in ${describePlace(place)} (permission denied).`);
  return new CodedError(
    'POSTGRES_MAINTENANCE_FAILED',
    `${sql} failed in ${describePlace(place)}: ${withoutPassword(errorMessage(error), place.target.url)}`,
    { target: place.target.name, database: place.database, url: maskUrl(place.target.url), sqlstate: code },
    { cause: error },
  );
}
