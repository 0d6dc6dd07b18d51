import type pg from 'pg';
import type { TableCount } from './files.js';
import { escapeIdentifier } from '../connection.js';

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
    counts.push({ ...table, rows: await countTable(client, table) });
  }
  return counts;
}

/**
 * Exact row counts of every user table over `connections` connections at once, each table on one of them; in
 * list order. The counts share no snapshot, so this is for a database nothing writes to (a restored scratch
 * database). `withClient` opens a connection for the work given and closes it after.
 */
export async function countRowsInParallel(
  withClient: <T>(work: (client: pg.Client) => Promise<T>) => Promise<T>,
  connections: number,
  signal?: AbortSignal,
): Promise<TableCount[]> {
  return withClient(async (first) => {
    const tables = await listUserTables(first);
    const counts: TableCount[] = new Array(tables.length);
    let next = 0;
    const drain = async (client: pg.Client): Promise<void> => {
      for (let index = next++; index < tables.length; index = next++) {
        signal?.throwIfAborted();
        counts[index] = { ...tables[index]!, rows: await countTable(client, tables[index]!) };
      }
    };
    const others = Math.max(0, Math.min(connections, tables.length) - 1);
    await Promise.all([drain(first), ...Array.from({ length: others }, () => withClient(drain))]);
    return counts;
  });
}

async function countTable(client: pg.Client, table: { schema: string; name: string }): Promise<number> {
  const result = await client.query<{ n: string }>(`select count(*) as n from only ${escapeIdentifier(table.schema)}.${escapeIdentifier(table.name)}`);
  return Number(result.rows[0]!.n);
}

/** `schema.name`, as shown in reports. */
export function tableLabel(table: { schema: string; name: string }): string {
  return `${table.schema}.${table.name}`;
}
