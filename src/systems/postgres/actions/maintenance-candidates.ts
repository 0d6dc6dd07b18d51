import type pg from 'pg';
import { toRelation, type CatalogRelation } from './catalog.js';

/** A table whose dead tuples are over the threshold. */
export interface DeadTupleTable extends CatalogRelation {
  deadTuples: number;
  liveTuples: number;
}

/** The user tables of the session's database with at least `minDeadTuples` dead tuples, most first. */
export async function tablesOverDeadTuples(client: pg.Client, minDeadTuples: number): Promise<DeadTupleTable[]> {
  const { rows } = await client.query<{ oid: number; schema: string; name: string; dead: number; live: number }>(
    `select s.relid::int8::float8 as oid, s.schemaname as schema, s.relname as name, s.n_dead_tup::float8 as dead, s.n_live_tup::float8 as live
       from pg_stat_user_tables s
      where s.n_dead_tup >= $1
      order by s.n_dead_tup desc, s.schemaname, s.relname`,
    [minDeadTuples],
  );
  return rows.map((row) => ({ ...toRelation(row), deadTuples: row.dead, liveTuples: row.live }));
}

/** A B-tree index whose size is well over what its rows need. */
export interface BloatedIndex extends CatalogRelation {
  table: string;
  bytes: number;
  /** The estimated share of the index that is empty space, 0 to 1. */
  bloatRatio: number;
}

/**
 * The B-tree indexes of user tables of at least `minBytes` whose estimated bloat is at least `minRatio`. The
 * estimate compares the index's pages with what its tuples need (entry width from `pg_stats`, 90 % fill,
 * 8 kB pages), as the common bloat queries do; indexes of tables never analyzed are left out.
 */
export async function bloatedIndexes(client: pg.Client, minRatio: number, minBytes: number): Promise<BloatedIndex[]> {
  const { rows } = await client.query<{ oid: number; schema: string; name: string; table: string; bytes: number; ratio: number }>(
    `with sized as (
       select c.oid, n.nspname as schema, c.relname as name, t.relname as tbl, pg_relation_size(c.oid)::float8 as bytes,
              c.relpages::float8 as pages, greatest(c.reltuples, 0)::float8 as tuples,
              (select sum(st.avg_width) from pg_attribute a
                 join pg_stats st on st.schemaname = n.nspname and st.tablename = t.relname and st.attname = a.attname
                where a.attrelid = c.oid and a.attnum > 0)::float8 as width,
              (select count(*) from pg_attribute a where a.attrelid = c.oid and a.attnum > 0)::float8 as columns,
              (select count(*) from pg_attribute a
                 join pg_stats st on st.schemaname = n.nspname and st.tablename = t.relname and st.attname = a.attname
                where a.attrelid = c.oid and a.attnum > 0)::float8 as known
         from pg_index i
         join pg_class c on c.oid = i.indexrelid
         join pg_class t on t.oid = i.indrelid
         join pg_namespace n on n.oid = c.relnamespace
         join pg_am am on am.oid = c.relam and am.amname = 'btree'
        where n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%' and i.indisvalid
     )
     select oid::int8::float8 as oid, schema, name, tbl as table, bytes,
            1 - (ceil(tuples * (16 + ceil(width / 8) * 8) / (8192 * 0.9 - 24)) + 1) / pages as ratio
       from sized
      where pages > 1 and known = columns and bytes >= $2
        and 1 - (ceil(tuples * (16 + ceil(width / 8) * 8) / (8192 * 0.9 - 24)) + 1) / pages >= $1
      order by bytes desc, schema, name`,
    [minRatio, minBytes],
  );
  return rows.map((row) => ({ ...toRelation(row), table: row.table, bytes: row.bytes, bloatRatio: row.ratio }));
}

/** The size of the session's database and of its largest tables (with indexes and TOAST). */
export async function databaseSizes(client: pg.Client, top: number): Promise<{ databaseBytes: number; tables: { name: string; bytes: number }[] }> {
  const database = await client.query<{ bytes: number }>('select pg_database_size(current_database())::float8 as bytes');
  const tables = await client.query<{ name: string; bytes: number }>(
    `select format('%s.%s', schemaname, relname) as name, pg_total_relation_size(relid)::float8 as bytes
       from pg_stat_user_tables order by pg_total_relation_size(relid) desc, schemaname, relname limit $1`,
    [top],
  );
  return { databaseBytes: database.rows[0]?.bytes ?? 0, tables: tables.rows };
}
