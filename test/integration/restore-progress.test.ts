import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listArchive } from '../../src/systems/postgres/backup/archive.js';
import { restoreArchive } from '../../src/systems/postgres/backup/pg-restore.js';
import { findPgTool } from '../../src/systems/postgres/backup/pg-tools.js';
import { IncrementalRowCounts } from '../../src/systems/postgres/backup/row-counts.js';
import { createOwnDatabase, sharedPostgres, type OwnDatabase } from '../support/services.js';
import { useTempDir } from '../support/temp.js';

const run = promisify(execFile);

describe('a restore test counts each table as soon as pg_restore reports its data in', () => {
  const tempDir = useTempDir();
  let source: OwnDatabase;
  let target: OwnDatabase;
  let dump: string;

  beforeAll(async () => {
    [source, target] = await Promise.all([createOwnDatabase('progress_source'), createOwnDatabase('progress_target')]);
    const client = new pg.Client({ connectionString: source.url });
    await client.connect();
    await client.query(`create schema sales;
      create table orders (id int primary key); insert into orders select generate_series(1, 3000);
      create table "Order Notes" (id int, note text); insert into "Order Notes" select n, 'n' || n from generate_series(1, 1200) n;
      create table sales.invoices (id int primary key); insert into sales.invoices select generate_series(1, 700);
      create table empty_one (id int);`);
    await client.end();
    dump = join(await tempDir(), 'progress.dump');
    const pgDump = await findPgTool('pg_dump', 15);
    await run(pgDump.path, ['-Fc', `--file=${dump}`, `--dbname=${source.url}`]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([source?.drop(), target?.drop()]);
  });

  it("names every table, spaces and schemas included, from pg_restore's own progress, and the counts taken then are exact", async () => {
    const pgRestore = (await findPgTool('pg_restore', 15)).path;
    const contents = await listArchive(pgRestore, dump);
    const reported: string[] = [];
    let restoreEnded = false;
    const withClient = async <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
      const client = new pg.Client({ connectionString: target.url });
      await client.connect();
      try {
        return await work(client);
      } finally {
        await client.end();
      }
    };
    const counts = new IncrementalRowCounts(withClient, 2);
    const restored = await restoreArchive({
      pgRestore,
      file: dump,
      url: sharedPostgres,
      database: target.name,
      jobs: 2,
      scratch: true,
      signal: new AbortController().signal,
      onTableData: {
        entries: contents.tableData,
        restored: (table) => {
          if (!restoreEnded) reported.push(`${table.schema}.${table.name}`);
          counts.ready(table);
        },
      },
    });
    restoreEnded = true;

    expect(restored).toEqual({ ok: true });
    expect(reported.sort()).toEqual(['public.Order Notes', 'public.empty_one', 'public.orders', 'sales.invoices']);
    expect(await counts.all()).toEqual([
      { schema: 'public', name: 'Order Notes', rows: 1200 },
      { schema: 'public', name: 'empty_one', rows: 0 },
      { schema: 'public', name: 'orders', rows: 3000 },
      { schema: 'sales', name: 'invoices', rows: 700 },
    ]);
  });
});
