import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeFinding } from '../../src/core/finding.js';
import { TargetUnreachable } from '../../src/core/probe.js';
import { createPostgresProbe, postgresTargetSchema } from '../../src/systems/postgres/probe.js';
import { runHealth } from '../../src/checks/runner.js';
import { createOwnDatabase, freePort, startOwnPostgres, type OwnDatabase, type OwnPostgres } from '../support/services.js';

let cluster: OwnPostgres;
let own: OwnDatabase;
let server: string;
let database: string;
let url: string;
let admin: pg.Client;
const opened: pg.Client[] = [];

async function connect(target = url): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: target, application_name: 'maintbot-health-test' });
  client.on('error', () => undefined);
  await client.connect();
  opened.push(client);
  return client;
}

async function backendPid(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
  return rows[0]!.pid;
}

async function probeLines(thresholds: Record<string, number> = {}, extra: Record<string, unknown> = {}): Promise<ProbeFinding[]> {
  const probe = createPostgresProbe(postgresTargetSchema.parse({ name: 'db', url, thresholds, ...extra }));
  return probe.run(new AbortController().signal);
}

function lineOf(lines: ProbeFinding[], label: string): ProbeFinding {
  const found = lines.find((line) => line.label === label);
  if (!found) throw new Error(`no line "${label}" in ${lines.map((line) => line.label).join(', ')}`);
  return found;
}

async function waitForState(pid: number, predicate: (row: { state: string; wait_event_type: string | null; seconds: number }) => boolean) {
  await expect
    .poll(
      async () => {
        const { rows } = await admin.query<{ state: string; wait_event_type: string | null; seconds: number }>(
          `select state, wait_event_type, extract(epoch from now() - coalesce(query_start, state_change))::float8 as seconds
             from pg_stat_activity where pid = $1`,
          [pid],
        );
        return rows[0] !== undefined && predicate(rows[0]);
      },
      { timeout: 10_000, interval: 100 },
    )
    .toBe(true);
}

beforeAll(async () => {
  cluster = await startOwnPostgres();
  server = cluster.server;
  own = await createOwnDatabase('maintbot_health', server);
  database = own.name;
  url = own.url;
  admin = new pg.Client({ connectionString: cluster.url() });
  await admin.connect();
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((client) => client.end().catch(() => undefined)));
});

afterAll(async () => {
  await admin?.end();
  await own?.drop();
  await cluster?.stop();
});

describe('PostgreSQL health probe against the real server', () => {
  it('reports the version, role, uptime and size of a healthy server as ok', async () => {
    const { rows } = await admin.query<{ server_version: string }>('show server_version');
    const lines = await probeLines();

    const serverLine = lineOf(lines, 'server');
    expect(serverLine.status).toBe('ok');
    expect(serverLine.text).toMatch(new RegExp(`^PostgreSQL ${rows[0]!.server_version.split(' ')[0]!.replace('.', '\\.')}, primary, up `));
    expect(lineOf(lines, `database size (${database})`)).toMatchObject({
      checkId: 'postgres.database_size',
      subject: database,
      status: 'ok',
      measure: { value: expect.any(Number), unit: 'bytes' },
      text: expect.stringMatching(/MiB$/),
    });
    expect(lineOf(lines, 'long-running queries').status).toBe('ok');
    expect(lineOf(lines, 'blocked queries').status).toBe('ok');
    expect(lineOf(lines, 'transaction ID age')).toMatchObject({ status: 'ok', threshold: 'warn at 50 %, crit at 80 %' });
  });

  it('warns when the open connections pass a low threshold', async () => {
    const extra = await Promise.all(Array.from({ length: 10 }, () => connect()));
    const { rows } = await admin.query<{ max: number }>(`select current_setting('max_connections')::int as max`);
    const max = rows[0]!.max;
    const warnPct = (extra.length / max) * 100;

    const connections = lineOf(await probeLines({ connections_warn_pct: warnPct, connections_crit_pct: 100 }), 'connections');

    expect(connections.status).toBe('warn');
    const used = Number(/^(\d+) of (\d+)/.exec(connections.text)?.[1]);
    expect(used).toBeGreaterThanOrEqual(extra.length + 1);
    expect(connections.text).toContain(`of ${max}`);
    expect(connections).toMatchObject({ checkId: 'postgres.connections', measure: { value: (used / max) * 100, unit: 'percent' } });
    expect(connections.note).toMatch(/max_connections/);
  });

  it('reports a pg_sleep query as long-running with its pid, duration and text', async () => {
    const sleeper = await connect();
    const pid = await backendPid(sleeper);
    const sleeping = sleeper.query('select pg_sleep(30) /* maintbot long query probe */').catch(() => undefined);
    await waitForState(pid, (row) => row.state === 'active' && row.seconds >= 1.2);

    const warned = lineOf(await probeLines({ long_query_warn_s: 1 }), 'long-running queries');
    const critical = lineOf(await probeLines({ long_query_warn_s: 0.5, long_query_crit_s: 1 }), 'long-running queries');
    await admin.query('select pg_cancel_backend($1)', [pid]);
    await sleeping;

    expect(warned.status).toBe('warn');
    expect(warned.threshold).toBe('warn at 1 s, crit at 5 min');
    expect(warned.detail).toEqual(
      expect.arrayContaining([expect.stringMatching(new RegExp(`^pid ${pid} · \\d+(\\.\\d)? s · postgres@${database} · select pg_sleep\\(30\\)`))]),
    );
    expect(critical.status).toBe('crit');
  });

  it('names a blocked query together with the session that blocks it, and the idle transaction behind it', async () => {
    const setup = await connect();
    await setup.query('create table locked_orders (id int primary key)');
    const holder = await connect();
    const waiter = await connect();
    const [holderPid, waiterPid] = await Promise.all([backendPid(holder), backendPid(waiter)]);
    await holder.query('begin');
    await holder.query('lock table locked_orders in access exclusive mode');
    const waiting = waiter.query('select count(*) from locked_orders').catch(() => undefined);
    await waitForState(waiterPid, (row) => row.wait_event_type === 'Lock' && row.seconds >= 1.1);

    const lines = await probeLines({ blocked_crit_s: 1, idle_in_transaction_warn_s: 0.5 });
    await holder.query('rollback');
    await waiting;

    const blocked = lineOf(lines, 'blocked queries');
    expect(blocked.status).toBe('crit');
    expect(blocked.text).toMatch(new RegExp(`held by pid ${holderPid}\\b`));
    const detail = blocked.detail?.find((text) => text.startsWith(`pid ${waiterPid} `));
    expect(detail).toMatch(/select count\(\*\) from locked_orders/);
    expect(detail).toMatch(new RegExp(`blocked by pid ${holderPid} \\(idle in transaction, query started \\d\\d:\\d\\d:\\d\\d UTC\\): lock table locked_orders`));

    const idle = lineOf(lines, 'idle in transaction');
    expect(idle.status).toBe('warn');
    expect(idle.detail).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^pid ${holderPid} · idle `))]));
  });

  it('reports dead tuples of a table autovacuum leaves alone, with its vacuum history', async () => {
    const writer = await connect();
    await writer.query('create table churned_events (id int primary key, payload text) with (autovacuum_enabled = false)');
    await writer.query(`insert into churned_events select g, repeat('x', 20) from generate_series(1, 5000) g`);
    await writer.query('delete from churned_events where id <= 3000');
    await writer.query('select pg_stat_force_next_flush()');
    await writer.query('select 1');

    let critical: ProbeFinding | undefined;
    await expect
      .poll(
        async () => {
          critical = lineOf(await probeLines(), `dead tuples (${database})`);
          return critical.status;
        },
        { timeout: 15_000, interval: 250 },
      )
      .toBe('crit');
    expect(critical?.text).toBe('public.churned_events 60 % dead (3,000 of 5,000 rows)');
    expect(critical?.detail?.[0]).toMatch(/^public\.churned_events · 60 % dead \(3,000\) · vacuum never, autovacuum never · analyze/);
    expect(critical?.note).toContain('/maint vacuum public.churned_events');

    const warned = lineOf(await probeLines({ dead_tuple_warn_pct: 50, dead_tuple_crit_pct: 70 }), `dead tuples (${database})`);
    expect(warned.status).toBe('warn');
    const belowMinimum = lineOf(await probeLines({ dead_tuple_min_rows: 3001 }), `dead tuples (${database})`);
    expect(belowMinimum.status).toBe('ok');
  });

  it('checks table stats in every listed database and flags a listed database that does not exist', async () => {
    const lines = await probeLines({}, { databases: [database, 'postgres', `${database}_missing`] });
    expect(lineOf(lines, `dead tuples (postgres)`).threshold).toMatch(/for tables with 1,000\+ dead$/);
    expect(lineOf(lines, `cache hit ratio (postgres)`).threshold).toBe('warn below 0.90, crit below 0.80');
    expect(lineOf(lines, `dead tuples (${database}_missing)`)).toMatchObject({
      status: 'unknown',
      text: `not checked: database "${database}_missing" does not exist at ${server}/${database}_missing`,
    });
  });
});

describe('PostgreSQL targets that cannot be reached', () => {
  it('reports a wrong port as unreachable without showing the password', async () => {
    const port = await freePort();
    const probe = createPostgresProbe(
      postgresTargetSchema.parse({ name: 'wrong-port', url: `postgres://postgres:hunter2@127.0.0.1:${port}/${database}` }),
    );
    const report = await runHealth([probe], { timeoutMs: 3000, verbose: false });

    const line = report.sections[0]?.lines[0];
    expect(line).toMatchObject({ status: 'crit', value: `unreachable (connection refused at postgres://postgres:***@127.0.0.1:${port}/${database})` });
    expect(JSON.stringify(report)).not.toContain('hunter2');
    expect(report.status).toBe('crit');
  });

  it('skips an optional target on a wrong port instead of failing the report', async () => {
    const port = await freePort();
    const probe = createPostgresProbe(postgresTargetSchema.parse({ name: 'local-pg', url: `postgres://postgres@127.0.0.1:${port}/postgres`, optional: true }));
    const report = await runHealth([probe], { timeoutMs: 3000, verbose: false });
    expect(report.sections[0]?.lines[0]?.status).toBe('skipped');
    expect(report.status).toBe('ok');
  });

  it('explains an unknown database and an unknown role, with the password masked', async () => {
    const run = (target: string) =>
      createPostgresProbe(postgresTargetSchema.parse({ name: 'x', url: target })).run(new AbortController().signal);

    const host = `127.0.0.1:${cluster.port}`;
    await expect(run(`postgres://postgres:hunter2@${host}/${database}_nowhere`)).rejects.toThrow(
      new TargetUnreachable(`database "${database}_nowhere" does not exist at postgres://postgres:***@${host}/${database}_nowhere`, {
        note: 'create the database, or fix the database name in the URL',
      }),
    );
    const role = `nobody_${randomBytes(3).toString('hex')}`;
    await expect(run(`postgres://${role}:hunter2@${host}/postgres`)).rejects.toThrow(
      new TargetUnreachable(`the server rejected the login (role "${role}" does not exist) at postgres://${role}:***@${host}/postgres`),
    );
  });
});
