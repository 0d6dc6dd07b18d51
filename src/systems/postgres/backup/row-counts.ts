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

/** Exact counts of `tables` over at most `connections` connections at once, each table on one of them; in list order. */
async function countRowsOf(
  withClient: <T>(work: (client: pg.Client) => Promise<T>) => Promise<T>,
  tables: readonly { schema: string; name: string }[],
  connections: number,
  signal?: AbortSignal,
): Promise<TableCount[]> {
  const counts: TableCount[] = new Array(tables.length);
  let next = 0;
  const drain = async (client: pg.Client): Promise<void> => {
    for (let index = next++; index < tables.length; index = next++) {
      signal?.throwIfAborted();
      counts[index] = { ...tables[index]!, rows: await countTable(client, tables[index]!) };
    }
  };
  const workers = Math.min(Math.max(1, connections), tables.length);
  await Promise.all(Array.from({ length: workers }, () => withClient(drain)));
  return counts;
}

async function countTable(client: pg.Client, table: { schema: string; name: string }): Promise<number> {
  const result = await client.query<{ n: string }>(`select count(*) as n from only ${escapeIdentifier(table.schema)}.${escapeIdentifier(table.name)}`);
  return Number(result.rows[0]!.n);
}

/** `schema.name`, as shown in reports. */
export function tableLabel(table: { schema: string; name: string }): string {
  return `${table.schema}.${table.name}`;
}

/**
 * Exact row counts taken while a restore is still running: each table is counted as soon as it is reported
 * `ready` (its data committed), over at most `connections` connections opened as needed; `all` then counts every
 * user table not counted yet and returns them all in list order. A count of a table reported early that fails (a
 * name misread from progress output) is simply taken again by `all`. For a database nothing else writes to (a
 * scratch restore): the counts share no snapshot.
 */
export class IncrementalRowCounts {
  private readonly queue: { schema: string; name: string }[] = [];
  private readonly counts = new Map<string, number>();
  private readonly queued = new Set<string>();
  private readonly workers = new Set<Promise<void>>();

  constructor(
    private readonly withClient: <T>(work: (client: pg.Client) => Promise<T>) => Promise<T>,
    private readonly connections: number,
    private readonly signal?: AbortSignal,
  ) {}

  /** A table whose data is in: counted on a free connection, or queued until one is. */
  ready(table: { schema: string; name: string }): void {
    const key = tableLabel(table);
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(table);
    if (this.workers.size < Math.max(1, this.connections)) this.startWorker();
  }

  /** Every user table's exact count, in list order; the ones not counted yet are counted now, and their failures thrown. */
  async all(): Promise<TableCount[]> {
    const tables = await this.withClient(listUserTables);
    await this.settle();
    const missing = tables.filter((table) => !this.counts.has(tableLabel(table)));
    const late = await countRowsOf(this.withClient, missing, this.connections, this.signal);
    late.forEach((count) => this.counts.set(tableLabel(count), count.rows));
    return tables.map((table) => ({ ...table, rows: this.counts.get(tableLabel(table))! }));
  }

  /** Resolves once no early count is running. */
  async settle(): Promise<void> {
    while (this.workers.size > 0) await Promise.all([...this.workers]);
  }

  private startWorker(): void {
    const worker = this.withClient(async (client) => {
      for (let table = this.queue.shift(); table; table = this.queue.shift()) {
        if (this.signal?.aborted) return;
        const rows = await countTable(client, table).catch(() => undefined);
        if (rows !== undefined) this.counts.set(tableLabel(table), rows);
      }
    }).catch(() => undefined);
    const tracked: Promise<void> = worker.finally(() => this.workers.delete(tracked));
    this.workers.add(tracked);
  }
}
