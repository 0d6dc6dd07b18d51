import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { postgresActions, postgresReindexAction, postgresTerminateAction, postgresVacuumAction } from '../../src/systems/postgres/actions/index.js';
import { CodedError, UserError } from '../../src/core/errors.js';
import type { ActionDefinition } from '../../src/core/action.js';
import { postgresTargetSchema, type PostgresTarget } from '../../src/systems/postgres/probe.js';
import { actionContext as context } from '../support/action-context.js';
import { eventually, startOwnPostgres, type OwnPostgres } from '../support/services.js';

const database = `maintbot_actions_${randomBytes(4).toString('hex')}`;
const targets: PostgresTarget[] = [];
let cluster: OwnPostgres;
let target: PostgresTarget;

let admin: pg.Client;
let db: pg.Client;
const sessions: pg.Client[] = [];

function parse<Input>(action: ActionDefinition<Input>, raw: Record<string, unknown>): Input {
  return action.inputs.parse(raw);
}

async function session(): Promise<{ client: pg.Client; pid: number }> {
  const client = new pg.Client({ connectionString: target.url, application_name: 'maintbot-actions-test' });
  client.on('error', () => undefined);
  await client.connect();
  sessions.push(client);
  const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
  return { client, pid: rows[0]!.pid };
}

function sleepIn(client: pg.Client, seconds = 60): Promise<unknown> {
  return client.query(`select pg_sleep(${seconds}) /* maintbot-test */`).catch((error: unknown) => error);
}

async function activity(pid: number): Promise<{ state: string; query: string; query_start: Date } | undefined> {
  const { rows } = await admin.query<{ state: string; query: string; query_start: Date }>(
    'select state, query, query_start from pg_stat_activity where pid = $1',
    [pid],
  );
  return rows[0];
}

async function waitUntilSleeping(pid: number, sinceMs = 200): Promise<void> {
  await expect
    .poll(
      async () => {
        const row = await activity(pid);
        return row?.state === 'active' && row.query.includes('pg_sleep') && Date.now() - row.query_start.getTime() > sinceMs;
      },
      { timeout: 10_000, interval: 50 },
    )
    .toBe(true);
}

async function tableExists(name: string): Promise<boolean> {
  const { rows } = await db.query('select 1 from pg_class where relname = $1 and relkind = $2', [name, 'r']);
  return rows.length === 1;
}

async function filenode(relation: string): Promise<string> {
  const { rows } = await db.query<{ node: string }>('select pg_relation_filenode($1::regclass)::text as node', [relation]);
  return rows[0]!.node;
}

async function deadTuples(table: string): Promise<number> {
  const { rows } = await db.query<{ dead: string }>('select n_dead_tup::text as dead from pg_stat_user_tables where relname = $1', [table]);
  return Number(rows[0]?.dead ?? 0);
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to be rejected');
}

async function idleForMs(pid: number): Promise<number | undefined> {
  const { rows } = await admin.query<{ ms: number }>(
    `select (extract(epoch from now() - state_change) * 1000)::float8 as ms from pg_stat_activity where pid = $1 and state = 'idle in transaction'`,
    [pid],
  );
  return rows[0]?.ms;
}

beforeAll(async () => {
  cluster = await startOwnPostgres({ autovacuum: 'off' });
  target = postgresTargetSchema.parse({ name: 'main-db', url: cluster.url(database) });
  targets.push(target);
  admin = new pg.Client({ connectionString: cluster.url() });
  await admin.connect();
  await admin.query(`create database ${database}`);
  db = new pg.Client({ connectionString: target.url });
  await db.connect();
  await db.query(`
    create table orders (id int primary key, note text);
    create index orders_note_idx on orders (note);
    create table y (id int);
    create table customers (id int primary key);
    create schema sales;
    create table sales.invoices (id int primary key);
    insert into orders select g, repeat('x', 100) from generate_series(1, 5000) g;
    insert into y values (1);
  `);
});

afterEach(async () => {
  const open = sessions.splice(0);
  await admin.query(
    `select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and application_name = 'maintbot-actions-test'`,
    [database],
  );
  await Promise.all(open.map((client) => client.end().catch(() => undefined)));
});

afterAll(async () => {
  await db?.end();
  await admin?.end();
  await cluster?.stop();
});

describe('postgres.vacuum', () => {
  const vacuum = postgresVacuumAction(targets);

  it('is safe for a plain VACUUM and destructive only for VACUUM FULL', () => {
    expect(vacuum.destructive).toBeTypeOf('function');
    const decide = vacuum.destructive as (input: ReturnType<typeof vacuum.inputs.parse>) => boolean;
    expect(decide(parse(vacuum, { table: 'orders' }))).toBe(false);
    expect(decide(parse(vacuum, { table: 'orders', full: true }))).toBe(true);
    expect(parse(vacuum, { table: 'orders' })).toMatchObject({ full: false, analyze: true });
  });

  it('plans the exact SQL with size, tuples and last vacuum, then vacuums a table with dead tuples', async () => {
    await db.query('delete from orders where id > 2500');
    await expect.poll(() => deadTuples('orders'), { timeout: 10_000 }).toBeGreaterThan(0);

    const input = parse(vacuum, { table: 'orders' });
    const plan = await vacuum.plan(input, context());
    expect(plan.summary).toBe(`VACUUM public.orders in database ${database} on target main-db`);
    expect(plan.detail).toContain('SQL: VACUUM (ANALYZE) "public"."orders"');
    expect(plan.detail.join('\n')).toMatch(/size: \d+(\.\d)? (KiB|MiB)/);
    expect(plan.detail.join('\n')).toMatch(/tuples: \d+ live, [1-9]\d* dead/);
    expect(plan.detail.join('\n')).toMatch(/last vacuum: never/);
    expect(plan.lockKey).toBe('postgres:main-db');

    const outcome = await vacuum.run(input, context());
    expect(outcome.summary).toMatch(/^vacuumed public\.orders in \d+\.\d s: /);
    expect(outcome.output).toMatchObject({ durationMs: expect.any(Number), bytesBefore: expect.any(Number), bytesAfter: expect.any(Number) });
    await expect.poll(() => deadTuples('orders'), { timeout: 10_000 }).toBe(0);
    const { rows } = await db.query<{ last_vacuum: Date | null }>("select last_vacuum from pg_stat_user_tables where relname = 'orders'");
    expect(rows[0]!.last_vacuum).toBeInstanceOf(Date);
  });

  it('runs VACUUM FULL on the approved plan: the table is rewritten and the impact was shown', async () => {
    const input = parse(vacuum, { table: 'public.orders', full: true, analyze: false });
    const plan = await vacuum.plan(input, context());
    expect(plan.detail).toContain('SQL: VACUUM (FULL) "public"."orders"');
    expect(plan.detail.join('\n')).toContain('ACCESS EXCLUSIVE');
    const before = await filenode('orders');

    const outcome = await vacuum.run(input, context(plan));
    expect(outcome.summary).toMatch(/^VACUUM FULL public\.orders in /);
    expect(await filenode('orders')).not.toBe(before);
  });

  it('finds tables in another schema when qualified, and suggests similar names when not found', async () => {
    const plan = await vacuum.plan(parse(vacuum, { table: 'sales.invoices' }), context());
    expect(plan.detail).toContain('SQL: VACUUM (ANALYZE) "sales"."invoices"');

    const error = await rejection(vacuum.plan(parse(vacuum, { table: 'order' }), context()));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(`No table named "order" in database ${database} on target main-db; tables with a similar name: orders.`);

    const unqualified = await rejection(vacuum.plan(parse(vacuum, { table: 'invoices' }), context()));
    expect(unqualified.message).toContain('tables with a similar name: sales.invoices');
  });

  it.each(['x"; DROP TABLE y; --', 'orders; DROP TABLE orders', 'DROP', 'public.orders; DROP TABLE y', '"orders"', 'orders" cascade; --'])(
    'refuses the hostile table name %j and leaves the database untouched',
    async (hostile) => {
      for (const full of [false, true]) {
        const input = parse(vacuum, { table: hostile, full });
        const planError = await rejection(vacuum.plan(input, context()));
        expect(planError).toBeInstanceOf(UserError);
        expect(planError.message).toMatch(/^No table named .* in database maintbot_actions_/);
        const runError = await rejection(vacuum.run(input, context()));
        expect(runError).toBeInstanceOf(UserError);
      }
      const reindex = postgresReindexAction(targets);
      await expect(reindex.plan(parse(reindex, { table: hostile }), context())).rejects.toBeInstanceOf(UserError);
      await expect(reindex.plan(parse(reindex, { index: hostile }), context())).rejects.toThrow(/^No index named /);
      expect(await tableExists('orders')).toBe(true);
      expect(await tableExists('y')).toBe(true);
      const { rows } = await db.query<{ n: string }>('select count(*)::text as n from y');
      expect(rows[0]!.n).toBe('1');
    },
  );

  it('refuses to run an approved plan whose table was dropped and recreated since', async () => {
    await db.query('create table churn (id int)');
    const input = parse(vacuum, { table: 'churn', full: true });
    const plan = await vacuum.plan(input, context());
    await db.query('drop table churn; create table churn (id int)');
    await expect(vacuum.run(input, context(plan))).rejects.toThrow(/no longer exists as planned/);
  });
});

describe('postgres target and database resolution', () => {
  it('uses the only target by default and lists names when the target is unknown or ambiguous', async () => {
    const vacuum = postgresVacuumAction(targets);
    await expect(vacuum.plan(parse(vacuum, { table: 'orders', target: 'nope' }), context())).rejects.toThrow(
      'No PostgreSQL target named "nope". PostgreSQL targets: main-db.',
    );
    const two = postgresVacuumAction([target, { ...target, name: 'replica' }]);
    await expect(two.plan(parse(two, { table: 'orders' }), context())).rejects.toThrow(
      'Several PostgreSQL targets are configured; name one with --target: main-db, replica.',
    );
    const none = postgresVacuumAction([]);
    await expect(none.plan(parse(none, { table: 'orders' }), context())).rejects.toThrow('No PostgreSQL target is configured.');
  });

  it('names a missing database without ever showing the password', async () => {
    const secret = postgresTargetSchema.parse({
      name: 'secret-db',
      url: `postgres://postgres:s3cr3t-pw@127.0.0.1:${cluster.port}/${database}`,
      databases: [database, `${database}_missing`],
    });
    const vacuum = postgresVacuumAction([secret]);
    const error = await rejection(vacuum.plan(parse(vacuum, { table: 'orders', database: `${database}_missing` }), context()));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toContain(`database "${database}_missing" does not exist`);
    expect(error.message).not.toContain('s3cr3t');
  });
  it('refuses a --database that is not one of the target\'s databases, listing them, before connecting anywhere', async () => {
    const nothingListens = `postgres://postgres@127.0.0.1:1/${database}`;
    const shop = postgresTargetSchema.parse({ name: 'shop-db', url: nothingListens, databases: ['shop', 'reports'] });
    const vacuum = postgresVacuumAction([shop]);
    const error = await rejection(vacuum.plan(parse(vacuum, { table: 'orders', database: 'shopp' }), context()));
    expect(error).toBeInstanceOf(UserError);
    expect(error.message).toBe(`Database "shopp" is not one of target shop-db's databases: ${database}, shop, reports. Did you mean shop?`);
    expect((error as UserError).hint).toContain('targets.postgres[].databases');
    const reindex = postgresReindexAction([shop]);
    await expect(reindex.plan(parse(reindex, { table: 'orders', database: 'postgres' }), context())).rejects.toThrow(
      `Database "postgres" is not one of target shop-db's databases: ${database}, shop, reports.`,
    );
    const listed = await rejection(vacuum.plan(parse(vacuum, { table: 'orders', database: 'reports' }), context()));
    expect(listed.message).toContain('is not reachable');
    const terminate = postgresTerminateAction([shop]);
    await expect(terminate.plan(parse(terminate, { database: 'other' }), context())).rejects.toThrow(
      `Database "other" is not one of target shop-db's databases: ${database}, shop, reports.`,
    );
  });
});

describe('system schemas', () => {
  const vacuum = postgresVacuumAction(targets);
  const reindex = postgresReindexAction(targets);

  it('refuses to vacuum or reindex pg_catalog, information_schema and pg_toast relations without --allow-system', async () => {
    const { rows } = await db.query<{ toast: string }>(`select t.relname as toast from pg_class c join pg_class t on t.oid = c.reltoastrelid where c.relname = 'orders'`);
    const refusals = [
      () => vacuum.plan(parse(vacuum, { table: 'pg_catalog.pg_authid' }), context()),
      () => vacuum.plan(parse(vacuum, { table: 'information_schema.sql_features' }), context()),
      () => reindex.plan(parse(reindex, { index: `pg_toast.${rows[0]!.toast}_index` }), context()),
      () => reindex.plan(parse(reindex, { table: 'pg_catalog.pg_class' }), context()),
      () => reindex.plan(parse(reindex, { index: 'pg_catalog.pg_class_oid_index' }), context()),
    ];
    for (const refusal of refusals) {
      const error = await rejection(refusal());
      expect(error).toBeInstanceOf(UserError);
      expect(error.message).toMatch(/^(pg_catalog|information_schema|pg_toast)\.\w+ is in the system schema \1; maintbot leaves PostgreSQL's own (tables|indexes) alone unless you add --allow-system, and then a second person must approve\.$/);
    }
  });

  it('with --allow-system, a plain vacuum of a catalog needs approval and the card says why', async () => {
    const decide = vacuum.destructive as (input: ReturnType<typeof vacuum.inputs.parse>) => boolean;
    const input = parse(vacuum, { table: 'pg_catalog.pg_authid', allow_system: true });
    expect(decide(input)).toBe(true);
    const plan = await vacuum.plan(input, context());
    expect(plan.detail).toContain('SQL: VACUUM (ANALYZE) "pg_catalog"."pg_authid"');
    expect(plan.detail).toContain(
      "needs approval: --allow-system, and pg_catalog.pg_authid is in the system schema pg_catalog, which every session's catalog lookups depend on",
    );
    const outcome = await vacuum.run(input, context(plan));
    expect(outcome.summary).toMatch(/^vacuumed pg_catalog\.pg_authid in /);
  });

  it('with --allow-system, reindexes a catalog without CONCURRENTLY, which PostgreSQL refuses there, and says it blocks writes', async () => {
    const input = parse(reindex, { table: 'pg_catalog.pg_am', allow_system: true });
    const plan = await reindex.plan(input, context());
    expect(plan.detail[0]).toBe('SQL: REINDEX TABLE "pg_catalog"."pg_am"');
    expect(plan.detail).toContain('impact: PostgreSQL cannot rebuild system catalogs concurrently, so this blocks writes to pg_catalog.pg_am while it runs');
    const before = await filenode('pg_am_oid_index');
    const outcome = await reindex.run(input, context(plan));
    expect(outcome.summary).toMatch(/^reindexed table pg_catalog\.pg_am in /);
    expect(await filenode('pg_am_oid_index')).not.toBe(before);
  });
});

describe('postgres.reindex', () => {
  const reindex = postgresReindexAction(targets);

  it('is destructive and needs exactly one of index or table', () => {
    expect(reindex.destructive).toBe(true);
    expect(reindex.inputs.safeParse({}).success).toBe(false);
    expect(reindex.inputs.safeParse({ index: 'a', table: 'b' }).success).toBe(false);
    expect(reindex.inputs.safeParse({ index: 'a', table: '' }).success).toBe(true);
  });

  it('rebuilds one index concurrently, after showing the SQL and its size', async () => {
    const input = parse(reindex, { index: 'orders_pkey' });
    const plan = await reindex.plan(input, context());
    expect(plan.detail[0]).toBe('SQL: REINDEX INDEX CONCURRENTLY "public"."orders_pkey"');
    expect(plan.detail.join('\n')).toMatch(/index orders_pkey: \d+(\.\d)? (B|KiB|MiB)/);
    expect(plan.lockKey).toBe('postgres:main-db');
    const before = await filenode('orders_pkey');

    const outcome = await reindex.run(input, context(plan));
    expect(outcome.summary).toMatch(/^reindexed index public\.orders_pkey concurrently in /);
    expect(await filenode('orders_pkey')).not.toBe(before);
  });

  it('rebuilds every index of a table concurrently', async () => {
    const input = parse(reindex, { table: 'orders' });
    const plan = await reindex.plan(input, context());
    expect(plan.detail[0]).toBe('SQL: REINDEX TABLE CONCURRENTLY "public"."orders"');
    expect(plan.detail.some((line) => line.startsWith('index orders_note_idx: '))).toBe(true);
    expect(plan.detail.some((line) => line.startsWith('index orders_pkey: '))).toBe(true);
    const before = await filenode('orders_note_idx');

    const outcome = await reindex.run(input, context(plan));
    expect(outcome.output).toMatchObject({ indexes: 2 });
    expect(await filenode('orders_note_idx')).not.toBe(before);
  });
});

describe('postgres.terminate', () => {
  const terminate = postgresTerminateAction(targets);
  const scoped = { database, include_own_user: true };

  it('lists a real long query in the plan and terminates exactly that backend, while one not in the plan survives', async () => {
    const sleeper = await session();
    const sleeping = sleepIn(sleeper.client);
    await waitUntilSleeping(sleeper.pid);

    const input = parse(terminate, { ...scoped, older_than: 100 });
    const plan = await terminate.plan(input, context());
    expect(plan.summary).toBe(`terminate 1 session on database ${database} of target main-db`);
    const line = plan.detail.find((text) => text.startsWith(`pid ${sleeper.pid}:`));
    expect(line).toMatch(new RegExp(`^pid ${sleeper.pid}: user postgres, database ${database}, active for [\\d.]+ s: select pg_sleep\\(60\\) /\\* maintbot-test \\*/$`));
    expect(plan.data).toEqual({
      sessions: [{ pid: sleeper.pid, backend_start: expect.any(String), query_start: expect.any(String), reason: 'long query' }],
    });

    const bystander = await session();
    const bystanding = sleepIn(bystander.client);
    await waitUntilSleeping(bystander.pid);

    const outcome = await terminate.run(input, context(plan));
    expect(outcome.output).toEqual({ terminated: [sleeper.pid], skipped: [] });
    expect(outcome.message).toMatchObject({ preformatted: `pid ${sleeper.pid} (user postgres, database ${database}): terminated` });
    expect(await sleeping).toBeInstanceOf(Error);
    await expect.poll(() => activity(sleeper.pid), { timeout: 5000 }).toBeUndefined();
    expect((await activity(bystander.pid))?.state).toBe('active');
    void bystanding;
  });

  it('leaves alone a planned pid whose query changed, and one whose pid now belongs to another session', async () => {
    const changed = await session();
    const firstQuery = sleepIn(changed.client);
    const reused = await session();
    const reusedQuery = sleepIn(reused.client);
    await waitUntilSleeping(changed.pid);
    await waitUntilSleeping(reused.pid);

    const input = parse(terminate, { ...scoped, older_than: 100 });
    const plan = await terminate.plan(input, context());
    const planned = (plan.data as { sessions: Array<{ pid: number; backend_start: string }> }).sessions;
    expect(planned.map((entry) => entry.pid).sort()).toEqual([changed.pid, reused.pid].sort());

    await admin.query('select pg_cancel_backend($1)', [changed.pid]);
    await firstQuery;
    const secondQuery = sleepIn(changed.client);
    await waitUntilSleeping(changed.pid, 0);
    const reusedEntry = planned.find((entry) => entry.pid === reused.pid)!;
    reusedEntry.backend_start = '2001-01-01 00:00:00.000001+00';

    const outcome = await terminate.run(input, context(plan));
    expect(outcome.output).toEqual({ terminated: [], skipped: expect.arrayContaining([changed.pid, reused.pid]) });
    const report = (outcome.message as { preformatted: string }).preformatted;
    expect(report).toContain(`pid ${changed.pid}: left alone, it no longer runs the planned query`);
    expect(report).toContain(`pid ${reused.pid}: left alone, the pid now belongs to a new session`);
    expect((await activity(changed.pid))?.state).toBe('active');
    expect((await activity(reused.pid))?.state).toBe('active');
    void secondQuery;
    void reusedQuery;
  });

  it('says when there is nothing to terminate, and its run does nothing', async () => {
    const sleeper = await session();
    void sleepIn(sleeper.client);
    await waitUntilSleeping(sleeper.pid);
    const input = parse(terminate, { ...scoped, older_than: '1h', idle_in_transaction: '30m' });
    const plan = await terminate.plan(input, context());
    expect(plan.summary).toBe(
      `nothing to terminate on database ${database} of target main-db: no session in a query for over 1 h or idle in a transaction for over 30 min`,
    );
    expect(plan.data).toEqual({ sessions: [] });
    const outcome = await terminate.run(input, context(plan));
    expect(outcome.output).toEqual({ terminated: [], skipped: [] });
    expect((await activity(sleeper.pid))?.state).toBe('active');
  });

  it('finds sessions idle in a transaction, and skips the bot user unless asked', async () => {
    const idle = await session();
    await idle.client.query('begin; select 1');
    await eventually('the session idle in a transaction for over 100 ms', async () => ((await idleForMs(idle.pid)) ?? 0) > 150);

    const own = await terminate.plan(parse(terminate, { database, idle_in_transaction: 100 }), context());
    expect(own.data).toEqual({ sessions: [] });
    expect(own.detail[0]).toContain("other than the bot's own user's");

    const input = parse(terminate, { ...scoped, idle_in_transaction: 100 });
    const plan = await terminate.plan(input, context());
    expect(plan.detail.some((line) => line.startsWith(`pid ${idle.pid}: user postgres, database ${database}, idle in transaction for `))).toBe(true);
    const outcome = await terminate.run(input, context(plan));
    expect(outcome.output).toEqual({ terminated: [idle.pid], skipped: [] });
    await expect.poll(() => activity(idle.pid), { timeout: 5000 }).toBeUndefined();
  });

  it('runs only on an approved plan', async () => {
    const error = await rejection(terminate.run(parse(terminate, scoped), context()));
    expect(error).toBeInstanceOf(CodedError);
    expect(terminate.destructive).toBe(true);
  });
});

describe('postgresActions', () => {
  it('registers vacuum, analyze, reindex, terminate and the db-maintenance actions', () => {
    expect(postgresActions(targets).map((action) => action.name)).toEqual(['postgres.vacuum', 'postgres.analyze', 'postgres.reindex', 'postgres.terminate', 'postgres.vacuum-dead', 'postgres.index-bloat', 'postgres.reindex-bloated', 'postgres.sizes']);
  });
});
