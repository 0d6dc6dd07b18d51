import pg from 'pg';
import type { TableCount } from './files.js';

/** The user tables of a database (plain and partitioned), by schema and name. */
export async function listUserTables(client: pg.Client): Promise<{ schema: string; name: string }[]> {
  const result = await client.query<{ schema: string; name: string }>(
    `select n.nspname as schema, c.relname as name
       from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p')
        and n.nspname not in ('pg_catalog', 'information_schema')
        and n.nspname not like 'pg\\_toast%' and n.nspname not like 'pg\\_temp%'
        and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass and d.objid = c.oid and d.deptype = 'e')
      order by 1, 2`,
  );
  return result.rows;
}

/** Exact row counts of every user table, read with `count(*)` in the client's current transaction. */
export async function countRows(client: pg.Client, signal?: AbortSignal): Promise<TableCount[]> {
  const counts: TableCount[] = [];
  for (const table of await listUserTables(client)) {
    signal?.throwIfAborted();
    const result = await client.query<{ n: string }>(`select count(*) as n from only ${pg.escapeIdentifier(table.schema)}.${pg.escapeIdentifier(table.name)}`);
    counts.push({ ...table, rows: Number(result.rows[0]!.n) });
  }
  return counts;
}

/** `schema.name`, as shown in reports. */
export function tableLabel(table: { schema: string; name: string }): string {
  return `${table.schema}.${table.name}`;
}
