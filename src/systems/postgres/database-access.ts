/** Why a database refuses a connection, and what to do: the same words whether a connection failed or `pg_database` said so. */
export interface DatabaseRefusal {
  reason: string;
  note: string;
}

/** What `pg_database` (with `pg_stat_database`) says about connecting to one database as the current user. */
export interface DatabaseAccessRow {
  datname: string;
  datallowconn: boolean;
  /** -1 for no limit. */
  datconnlimit: number;
  can_connect: boolean;
  numbackends: number;
}

/** The database is not in `pg_database`. */
export function missingDatabase(database: string, where: string): DatabaseRefusal {
  return { reason: `database "${database}" does not exist at ${where}`, note: 'create the database, or fix the database name in the URL' };
}

/** `ALTER DATABASE … ALLOW_CONNECTIONS false`. */
export function closedDatabase(database: string, where: string): DatabaseRefusal {
  return {
    reason: `database "${database}" does not allow connections (ALLOW_CONNECTIONS false) at ${where}`,
    note: `if it should serve clients: ALTER DATABASE ${database} ALLOW_CONNECTIONS true; if it is retired, remove it from the config`,
  };
}

/** The user lacks the CONNECT privilege on the database. */
export function forbiddenDatabase(database: string, user: string, where: string): DatabaseRefusal {
  return {
    reason: `user "${user}" may not connect to database "${database}" (no CONNECT privilege) at ${where}`,
    note: `GRANT CONNECT ON DATABASE ${database} TO ${user}, or use a user that has it`,
  };
}

/** The database's own `CONNECTION LIMIT` is reached. */
export function fullDatabase(database: string, where: string, limit?: number): DatabaseRefusal {
  return {
    reason: `database "${database}" is at its connection limit${limit === undefined ? '' : ` (${limit})`} at ${where}`,
    note: `new clients of this database are refused: close idle ones, or raise the limit (ALTER DATABASE ${database} CONNECTION LIMIT …)`,
  };
}

/**
 * Why connecting to `database` as `user` would be refused, judged from its `pg_database` row; undefined when it
 * would not be. `ownBackends` of its backends are the reader's own (not counted against its limit).
 */
export function refusalOf(row: DatabaseAccessRow | undefined, database: string, user: string, where: string, ownBackends = 0): DatabaseRefusal | undefined {
  if (row === undefined) return missingDatabase(database, where);
  if (!row.datallowconn) return closedDatabase(database, where);
  if (!row.can_connect) return forbiddenDatabase(database, user, where);
  if (row.datconnlimit >= 0 && row.numbackends - ownBackends >= row.datconnlimit) return fullDatabase(database, where, row.datconnlimit);
  return undefined;
}
