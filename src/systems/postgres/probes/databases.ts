import type { DatabaseAccessRow } from '../database-access.js';
import type { CheckContext } from './check.js';

/** One database of the cluster, as every target on the server reads it: who may connect, and its stats. */
export interface DatabaseRow extends DatabaseAccessRow {
  user_name: string;
  blks_hit: number;
  blks_read: number;
  /** Null when the user may not read it (no CONNECT privilege, no pg_read_all_stats). */
  size_bytes: number | null;
  xid_age: number;
  freeze_max_age: number;
}

const databasesSql = `
  select d.datname, d.datallowconn, d.datconnlimit, current_user as user_name,
         has_database_privilege(current_user, d.oid, 'CONNECT') as can_connect,
         coalesce(s.numbackends, 0)::int as numbackends,
         coalesce(s.blks_hit, 0)::float8 as blks_hit, coalesce(s.blks_read, 0)::float8 as blks_read,
         case when has_database_privilege(current_user, d.oid, 'CONNECT') or pg_has_role(current_user, 'pg_read_all_stats', 'member')
              then pg_database_size(d.oid)::float8 end as size_bytes,
         age(d.datfrozenxid)::float8 as xid_age, current_setting('autovacuum_freeze_max_age')::float8 as freeze_max_age
    from pg_database d
    left join pg_stat_database s on s.datid = d.oid
   order by d.datname`;

/**
 * Every database of the cluster by name: read once per server and user in one run (`serverRows`), so each
 * target judges its own databases from it without a connection to them.
 */
export async function databaseRows({ serverRows }: Pick<CheckContext, 'serverRows'>): Promise<Map<string, DatabaseRow>> {
  const rows = await serverRows<DatabaseRow>(databasesSql);
  return new Map(rows.map((row) => [row.datname, row]));
}
