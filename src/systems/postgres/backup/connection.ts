import { UserError } from '../../../core/errors.js';
import { withDatabase, type PostgresConnection } from '../connection.js';

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

/** How backup work connects: UTC, application_name `maintbot-backup`; failure to connect is a `UserError`. */
export function backupConnection(url: string): PostgresConnection {
  return {
    url,
    applicationName: 'maintbot-backup',
    statementTimeoutMs: 0,
    serverOptions: '-c TimeZone=UTC',
    unreachable: (reason) => new UserError(`PostgreSQL is not reachable: ${reason}.`),
  };
}
