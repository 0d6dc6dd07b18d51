import type { DatabaseAccessRow } from '../database-access.js';
import type { CheckContext } from './check.js';

/** One database of the cluster, as every target on the server reads it: who may connect, and its stats. */
export interface DatabaseRow extends DatabaseAccessRow {
  user_name: string;
  blks_hit: number;
  blks_read: number;
  xid_age: number;
  freeze_max_age: number;
}

const databasesSql = `
  select d.datname, d.datallowconn, d.datconnlimit, current_user as user_name,
         has_database_privilege(current_user, d.oid, 'CONNECT') as can_connect,
         coalesce(s.numbackends, 0)::int as numbackends,
         coalesce(s.blks_hit, 0)::float8 as blks_hit, coalesce(s.blks_read, 0)::float8 as blks_read,
         age(d.datfrozenxid)::float8 as xid_age, current_setting('autovacuum_freeze_max_age')::float8 as freeze_max_age
    from pg_database d
    left join pg_stat_database s on s.datid = d.oid
   order by d.datname`;

/** The shared rows, indexed once per read for every target that judges them. */
export interface DatabaseIndex {
  byName: Map<string, DatabaseRow>;
  /** The three databases with the oldest transaction IDs, oldest first. */
  oldest: DatabaseRow[];
}

const indexes = new WeakMap<readonly DatabaseRow[], DatabaseIndex>();

/**
 * Every database of the cluster: read once per server and user in one run (`serverRows`), so each target judges
 * its own databases from it without a connection to them, and indexed once per read. Sizes are not in it:
 * pg_database_size walks every file of a database, tens of milliseconds for a hundred small ones, so each target
 * reads its own with its table stats (`databaseSizeCheck`).
 */
export async function databaseRows({ serverRows }: Pick<CheckContext, 'serverRows'>): Promise<DatabaseIndex> {
  const rows = await serverRows<DatabaseRow>(databasesSql);
  let index = indexes.get(rows);
  if (index === undefined) {
    index = { byName: new Map(rows.map((row) => [row.datname, row])), oldest: [...rows].sort((a, b) => b.xid_age - a.xid_age).slice(0, 3) };
    indexes.set(rows, index);
  }
  return index;
}
