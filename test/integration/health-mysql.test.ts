import mysql from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProbeFinding } from '../../src/core/finding.js';
import { TargetUnreachable } from '../../src/core/probe.js';
import { closeMysqlSession, openMysqlSession, ownThreadIds, serverOf } from '../../src/systems/mysql/connection.js';
import { createMysqlProbe } from '../../src/systems/mysql/probe.js';
import { mysqlTargetSchema } from '../../src/systems/mysql/target.js';
import { createOwnMariadbDatabase, eventually, freePort, mariadbQuery, startOwnMariadb, type OwnDatabase, type OwnMariadb } from '../support/services.js';

const opened: { connection: mysql.Connection; server: string }[] = [];

async function connect(url: string, password?: string): Promise<mysql.Connection> {
  const parsed = new URL(url);
  const connection = await mysql.createConnection({
    host: parsed.hostname,
    port: Number(parsed.port),
    user: 'root',
    ...(password === undefined ? {} : { password }),
    ...(parsed.pathname.length > 1 ? { database: parsed.pathname.slice(1) } : {}),
  });
  connection.on('error', () => undefined);
  opened.push({ connection, server: `mysql://root@${parsed.host}` });
  return connection;
}

async function probeLines(url: string, thresholds: Record<string, number> = {}, extra: Record<string, unknown> = {}): Promise<ProbeFinding[]> {
  const probe = createMysqlProbe(mysqlTargetSchema.parse({ name: 'appointments-db', url, thresholds, ...extra }));
  return probe.run(new AbortController().signal);
}

function lineOf(lines: ProbeFinding[], checkId: string): ProbeFinding {
  const found = lines.find((line) => line.checkId === checkId);
  if (!found) throw new Error(`no line ${checkId} in ${lines.map((line) => line.checkId).join(', ')}`);
  return found;
}

/** Waits until the processlist shows `id` in a statement for at least `seconds`, or in `state`. */
async function waitForThread(server: string, id: number, predicate: (row: { time: number; state: string }) => boolean): Promise<void> {
  await eventually(`thread ${id}`, async () => {
    const out = await mariadbQuery(server, `SELECT TIME, COALESCE(STATE, '') FROM information_schema.PROCESSLIST WHERE ID = ${id}`);
    const [time, state] = out.trim().split('\t');
    return out.trim() !== '' && predicate({ time: Number(time), state: state ?? '' });
  });
}

/** Starts `sql` on a fresh connection without waiting for it; the thread id is returned once it runs. */
async function startStatement(url: string, sql: string): Promise<number> {
  const connection = await connect(url);
  void connection.query(sql).catch(() => undefined);
  return connection.threadId;
}

/** Ends the test's connections and the statements they still run on the server, so the next test starts clean. */
afterEach(async () => {
  for (const { connection, server } of opened.splice(0)) {
    connection.destroy();
    await mariadbQuery(server, `KILL ${connection.threadId}`).catch(() => undefined);
    await eventually(`thread ${connection.threadId} gone`, async () => (await mariadbQuery(server, `SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ${connection.threadId}`)).trim() === '0');
  }
});

describe('MySQL health probe against a MariaDB of its own', () => {
  let server: OwnMariadb;

  beforeAll(async () => {
    server = await startOwnMariadb(['max-connections=10', 'plugin-load-add=metadata_lock_info', 'innodb-lock-wait-timeout=120']);
    await mariadbQuery(server.server, 'CREATE TABLE test.slots (id INT PRIMARY KEY, taken INT) ENGINE=InnoDB; INSERT INTO test.slots VALUES (1, 0), (2, 0)');
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('reports version, read-write and uptime, and a server that is no replica as ok', async () => {
    const lines = await probeLines(server.url());
    expect(lineOf(lines, 'mysql.server')).toMatchObject({ status: 'ok', text: expect.stringMatching(/^MariaDB 10\.\d+\.\d+, read-write, up \d+ s/) });
    expect(lineOf(lines, 'mysql.replication')).toMatchObject({ status: 'ok', text: 'not a replica' });
    expect(lineOf(lines, 'mysql.lock_waits')).toMatchObject({ status: 'ok', text: 'none' });
    expect(lineOf(lines, 'mysql.long_queries')).toMatchObject({ status: 'ok', text: 'none' });
  });

  it('says when the server is read-only', async () => {
    await mariadbQuery(server.server, 'SET GLOBAL read_only = 1');
    try {
      expect(lineOf(await probeLines(server.url()), 'mysql.server').text).toMatch(/, read-only, /);
    } finally {
      await mariadbQuery(server.server, 'SET GLOBAL read_only = 0');
    }
  });

  it('warns at 80 % of max_connections and is critical at 100 %', async () => {
    for (let i = 0; i < 7; i++) await connect(server.url());
    const warn = lineOf(await probeLines(server.url()), 'mysql.connections');
    expect(warn).toMatchObject({ status: 'warn', text: '8 of 10 (80 %)', threshold: 'warn at 80 %, crit at 95 %' });
    expect(warn.note).toMatch(/Too many connections/);
    for (let i = 0; i < 2; i++) await connect(server.url());
    expect(lineOf(await probeLines(server.url()), 'mysql.connections')).toMatchObject({ status: 'crit', text: '10 of 10 (100 %)' });
  });

  it('counts the threads running statements against its thresholds', async () => {
    const ids = [await startStatement(server.url(), 'SELECT SLEEP(60)'), await startStatement(server.url(), 'SELECT SLEEP(60)')];
    for (const id of ids) await waitForThread(server.server, id, ({ state }) => state === 'User sleep');
    expect(lineOf(await probeLines(server.url(), { threads_running_warn: 2, threads_running_crit: 3 }), 'mysql.threads_running')).toMatchObject({
      status: 'warn',
      text: '2',
      threshold: 'warn at 2, crit at 3',
    });
    const third = await startStatement(server.url(), 'SELECT SLEEP(60)');
    await waitForThread(server.server, third, ({ state }) => state === 'User sleep');
    expect(lineOf(await probeLines(server.url(), { threads_running_warn: 2, threads_running_crit: 3 }), 'mysql.threads_running').status).toBe('crit');
  });

  it('lists a long query with id, user, database, time and start, and leaves the bot’s own connections out', async () => {
    const own = await openMysqlSession({ url: server.url(), programName: 'maintbot-test', connectTimeoutMs: 5000 }, new AbortController().signal);
    void own.query('SELECT SLEEP(60)').catch(() => undefined);
    const id = await startStatement(server.url(), 'SELECT SLEEP(30) AS appointments_report');
    try {
      await waitForThread(server.server, id, ({ time }) => time >= 1);
      await waitForThread(server.server, own.threadId, ({ time }) => time >= 1);
      expect(ownThreadIds(serverOf(server.url()))).toContain(own.threadId);
      expect(ownThreadIds(serverOf('mysql://root@127.0.0.1:1/other'))).not.toContain(own.threadId);
      const warn = lineOf(await probeLines(server.url(), { long_query_warn_s: 1, long_query_crit_s: 600 }), 'mysql.long_queries');
      expect(warn).toMatchObject({ status: 'warn', text: expect.stringMatching(new RegExp(`^1, longest \\d+ s \\(id ${id}\\)$`)) });
      expect(warn.detail).toEqual([expect.stringMatching(new RegExp(`^id ${id} · \\d+ s, started \\d\\d:\\d\\d:\\d\\d UTC · root@test · SELECT SLEEP\\(30\\) AS appointments_report$`))]);
      await waitForThread(server.server, id, ({ time }) => time >= 2);
      expect(lineOf(await probeLines(server.url(), { long_query_warn_s: 1, long_query_crit_s: 2 }), 'mysql.long_queries').status).toBe('crit');
    } finally {
      own.destroy();
      await mariadbQuery(server.server, `KILL ${own.threadId}`).catch(() => undefined);
    }
  });

  it('names the blocker of a row lock wait, and turns critical when the wait is long', async () => {
    const blocker = await connect(server.url());
    await blocker.query('BEGIN');
    await blocker.query('SELECT * FROM slots WHERE id = 1 FOR UPDATE');
    const waiter = await startStatement(server.url(), 'UPDATE slots SET taken = 1 WHERE id = 1');
    await waitForThread(server.server, waiter, ({ state }) => state === 'Updating');
    const warn = await eventually('the lock wait seen by the probe', async () => {
      const line = lineOf(await probeLines(server.url()), 'mysql.lock_waits');
      return line.status !== 'ok' && line;
    });
    expect(warn).toMatchObject({ status: 'warn', text: expect.stringMatching(new RegExp(`^1 waiting on locks held by id ${blocker.threadId}, longest`)) });
    expect(warn.detail?.[0]).toMatch(new RegExp(`^id ${waiter} \\(row lock, waiting .*\\): UPDATE slots SET taken = 1 WHERE id = 1 ← id ${blocker.threadId} \\(transaction open`));
    await waitForThread(server.server, waiter, ({ time }) => time >= 1);
    expect(lineOf(await probeLines(server.url(), { lock_wait_crit_s: 1 }), 'mysql.lock_waits').status).toBe('crit');
  });

  it('ends a health statement stuck behind a lock, and the session, while the lock is still held', async () => {
    const blocker = await connect(server.url());
    await blocker.query('BEGIN');
    await blocker.query('SELECT * FROM slots WHERE id = 2 FOR UPDATE');
    const session = await openMysqlSession({ url: server.url(), programName: 'maintbot-health', connectTimeoutMs: 5000, queryTimeoutMs: 1000 }, new AbortController().signal);
    const stuck = session.query('SELECT * FROM slots WHERE id = 2 FOR UPDATE').catch((error: unknown) => error);
    const queued = session.query('SELECT 1').catch((error: unknown) => error);
    expect(await stuck).toMatchObject({ message: expect.stringMatching(/max_statement_time exceeded/) });
    expect(await queued).toEqual([{ 1: 1 }]);
    await closeMysqlSession(session);
    await eventually('the health session gone from the server', async () => (await mariadbQuery(server.server, `SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = ${session.threadId}`)).trim() === '0');
    expect((await mariadbQuery(server.server, `SELECT COUNT(*) FROM information_schema.INNODB_TRX WHERE trx_mysql_thread_id = ${blocker.threadId}`)).trim()).toBe('1');
  });

  it('names the holder of a metadata lock an ALTER TABLE waits for', async () => {
    const holder = await connect(server.url());
    await holder.query('BEGIN');
    await holder.query('SELECT * FROM slots');
    const alter = await startStatement(server.url(), 'ALTER TABLE slots ADD COLUMN note TEXT');
    await waitForThread(server.server, alter, ({ state }) => /metadata lock/.test(state));
    const line = lineOf(await probeLines(server.url()), 'mysql.lock_waits');
    expect(line.status).toBe('warn');
    expect(line.detail).toContainEqual(expect.stringMatching(new RegExp(`^id ${alter} \\(metadata lock, .*ALTER TABLE slots ADD COLUMN note TEXT ← id ${holder.threadId} \\(idle`)));
  });

  it('is critical when the replica threads do not run, and names the source', async () => {
    const port = await freePort();
    await mariadbQuery(server.server, `CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=${port}, MASTER_USER='repl', MASTER_CONNECT_RETRY=1; START SLAVE IO_THREAD`);
    try {
      const line = lineOf(await probeLines(server.url()), 'mysql.replication');
      expect(line).toMatchObject({ status: 'crit', text: expect.stringMatching(new RegExp(`^IO thread (Connecting|No), SQL thread No, lag unknown 127\\.0\\.0\\.1:${port}$`)) });
      expect(line.note).toMatch(/START REPLICA/);
    } finally {
      await mariadbQuery(server.server, 'STOP SLAVE; RESET SLAVE ALL');
    }
  });

  it('reports an unreachable server as unreachable, without the password', async () => {
    const port = await freePort();
    const probe = createMysqlProbe(mysqlTargetSchema.parse({ name: 'gone', url: `mysql://maintbot:s3cret@127.0.0.1:${port}/app` }));
    const error = await probe.run(new AbortController().signal).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TargetUnreachable);
    expect((error as Error).message).toBe(`connection refused at mysql://maintbot:***@127.0.0.1:${port}/app`);
  });
});

describe('MySQL counters since start, each on a MariaDB of its own', () => {
  const servers: OwnMariadb[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });
  const own = async (options: string[] = []) => {
    const server = await startOwnMariadb(options);
    servers.push(server);
    return server;
  };

  it('counts deadlocks per hour: warn at one, critical at ten', async () => {
    const server = await own();
    await mariadbQuery(server.server, 'CREATE TABLE test.pair (id INT PRIMARY KEY, n INT) ENGINE=InnoDB; INSERT INTO test.pair VALUES (1, 0), (2, 0)');
    const deadlock = async () => {
      const [a, b] = [await connect(server.url()), await connect(server.url())];
      await a.query('BEGIN');
      await b.query('BEGIN');
      await a.query('UPDATE pair SET n = n + 1 WHERE id = 1');
      await b.query('UPDATE pair SET n = n + 1 WHERE id = 2');
      const first = a.query('UPDATE pair SET n = n + 1 WHERE id = 2').catch((error: unknown) => error);
      await waitForThread(server.server, a.threadId, ({ state }) => state === 'Updating');
      const second = await b.query('UPDATE pair SET n = n + 1 WHERE id = 1').catch((error: unknown) => error);
      const victim = [await first, second].find((outcome) => (outcome as { code?: string } | undefined)?.code === 'ER_LOCK_DEADLOCK');
      a.destroy();
      b.destroy();
      return victim;
    };
    expect(await deadlock()).toMatchObject({ code: 'ER_LOCK_DEADLOCK' });
    expect(lineOf(await probeLines(server.url()), 'mysql.deadlocks')).toMatchObject({
      status: 'warn',
      text: '1 since start (1.0 per hour)',
      threshold: 'warn at 1 per hour, crit at 10 per hour',
    });
    for (let i = 0; i < 9; i++) await deadlock();
    expect(lineOf(await probeLines(server.url()), 'mysql.deadlocks')).toMatchObject({ status: 'crit', text: '10 since start (10.0 per hour)' });
  });

  it('counts failed logins as aborted connects', async () => {
    const server = await own();
    const failLogin = () => connect(server.url(), 'not-the-password').then(() => { throw new Error('logged in'); }, (error: unknown) => error);
    for (let i = 0; i < 10; i++) expect(await failLogin()).toMatchObject({ code: 'ER_ACCESS_DENIED_ERROR' });
    const warn = lineOf(await probeLines(server.url()), 'mysql.aborted_connects');
    expect(warn).toMatchObject({ status: 'warn', text: '10 since start (10.0 per hour)' });
    expect(warn.note).toMatch(/fail to log in/);
    await Promise.all(Array.from({ length: 90 }, failLogin));
    expect(lineOf(await probeLines(server.url()), 'mysql.aborted_connects').status).toBe('crit');
  });

  it('counts statements over long_query_time as slow queries', async () => {
    const server = await own(['long-query-time=0.05']);
    const connections = await Promise.all(Array.from({ length: 10 }, () => connect(server.url())));
    await Promise.all(connections.map((connection) => connection.query('SELECT SLEEP(0.1)')));
    expect(lineOf(await probeLines(server.url()), 'mysql.slow_queries')).toMatchObject({
      status: 'warn',
      text: '10 since start over long_query_time 0.05 s (10.0 per hour)',
    });
    for (let round = 0; round < 9; round++) await Promise.all(connections.map((connection) => connection.query('SELECT SLEEP(0.1)')));
    expect(lineOf(await probeLines(server.url()), 'mysql.slow_queries').status).toBe('crit');
  });

  it('judges the buffer pool hit ratio only from enough reads, then against its limits', async () => {
    const server = await own();
    expect(lineOf(await probeLines(server.url()), 'mysql.buffer_pool_hit_ratio')).toMatchObject({ status: 'ok', text: expect.stringMatching(/^too few reads yet to judge/) });
    const judged = lineOf(await probeLines(server.url(), { buffer_pool_min_requests: 1, buffer_pool_hit_warn: 1, buffer_pool_hit_crit: 0 }), 'mysql.buffer_pool_hit_ratio');
    expect(judged).toMatchObject({ status: 'warn', text: expect.stringMatching(/^0\.\d{3} \([\d,]+ of [\d,]+ page reads from disk\)$/) });
    expect(judged.note).toMatch(/innodb_buffer_pool_size/);
    expect(lineOf(await probeLines(server.url(), { buffer_pool_min_requests: 1, buffer_pool_hit_warn: 1, buffer_pool_hit_crit: 1 }), 'mysql.buffer_pool_hit_ratio').status).toBe('crit');
  });
});

describe('MySQL storage checks in a database of their own', () => {
  let database: OwnDatabase;
  beforeAll(async () => {
    database = await createOwnMariadbDatabase('maintbot_health');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('reports free space inside a table rows were deleted from, and the database size', async () => {
    await mariadbQuery(
      database.url,
      `CREATE TABLE \`${database.name}\`.bookings (id INT PRIMARY KEY AUTO_INCREMENT, pad VARCHAR(1000)) ENGINE=InnoDB;
       INSERT INTO \`${database.name}\`.bookings (pad) SELECT REPEAT('x', 1000) FROM seq_1_to_8000;
       DELETE FROM \`${database.name}\`.bookings WHERE id % 10 <> 0;
       ANALYZE TABLE \`${database.name}\`.bookings`,
    );
    const lines = await probeLines(database.url, { fragmentation_min_bytes: 1024 * 1024 });
    const warn = lineOf(lines, 'mysql.fragmentation');
    expect(warn).toMatchObject({ status: 'warn', text: expect.stringMatching(new RegExp(`^${database.name}\\.bookings [\\d.]+ % free \\(`)) });
    expect(warn.note).toContain(`/maint optimize ${database.name}.bookings`);
    expect(lineOf(await probeLines(database.url, { fragmentation_min_bytes: 1024 * 1024, fragmentation_crit_pct: 25 }), 'mysql.fragmentation').status).toBe('crit');
    const size = lines.find((line) => line.checkId === 'postgres.database_size' && line.subject === database.name);
    expect(size).toMatchObject({ status: 'ok', measure: { unit: 'bytes', value: expect.any(Number) } });
    expect(size!.measure!.value).toBeGreaterThan(1024 * 1024);
  });

  it('says a configured database that does not exist is unknown', async () => {
    const lines = await probeLines(database.url, {}, { databases: [database.name, `${database.name}_missing`] });
    expect(lines.find((line) => line.subject === `${database.name}_missing`)).toMatchObject({ status: 'unknown', text: 'no such database' });
  });
});
