import mysql from 'mysql2/promise';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { configSchema } from '../../src/config/schema.js';
import { UserError } from '../../src/core/errors.js';
import type { Message, Report } from '../../src/core/report.js';
import { createLogger } from '../../src/logging/logger.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { mysqlAnalyzeAction } from '../../src/systems/mysql/actions/analyze.js';
import { mysqlOptimizeAction } from '../../src/systems/mysql/actions/optimize.js';
import { openMysqlSession, type MysqlSession } from '../../src/systems/mysql/connection.js';
import { mysqlTargetSchema } from '../../src/systems/mysql/target.js';
import { actionContext } from '../support/action-context.js';
import { MemoryAudit } from '../support/memory-audit.js';
import {
  createOwnDatabase,
  createOwnMariadbDatabase,
  eventually,
  mariadbQuery,
  startOwnMariadb,
  type OwnDatabase,
  type OwnMariadb,
} from '../support/services.js';
import { person, TestChat } from '../support/test-chat.js';

const alice = person('alice', ['operator']);
const bob = person('bob', ['operator']);
const logger = createLogger({ level: 'silent', pretty: false });

function report(chat: TestChat, handle: { id: string }): Report {
  const message: Message = chat.latest(handle);
  if (message.kind !== 'report') throw new Error(`expected a report, got: ${message.text}`);
  return message;
}

const text = (message: Message): string => JSON.stringify(message);

async function chatWith(targets: Record<string, unknown>): Promise<{ app: App; chat: TestChat }> {
  const app = await buildApp(configSchema.parse({ targets }), logger, { store: new MemoryStore(), audit: new MemoryAudit() });
  const chat = new TestChat(() => app.router);
  app.outbound.connect(chat.port);
  return { app, chat };
}

async function dataFree(database: string, table: string): Promise<number> {
  await mariadbQuery(`mysql://root@127.0.0.1:3306/${database}`, `ANALYZE TABLE \`${table}\``);
  return Number((await mariadbQuery('mysql://root@127.0.0.1:3306', `SELECT DATA_FREE FROM information_schema.TABLES WHERE TABLE_SCHEMA = '${database}' AND TABLE_NAME = '${table}'`)).trim());
}

describe('one analyze command for PostgreSQL and MySQL targets, the target picking the system', () => {
  let pgDatabase: OwnDatabase;
  let myDatabase: OwnDatabase;
  let app: App;
  let chat: TestChat;

  beforeAll(async () => {
    [pgDatabase, myDatabase] = await Promise.all([createOwnDatabase('maintbot_analyze'), createOwnMariadbDatabase('maintbot_analyze')]);
    const pgClient = (await import('pg')).default;
    const client = new pgClient.Client({ connectionString: pgDatabase.url });
    await client.connect();
    await client.query('CREATE TABLE bookings (id int PRIMARY KEY); INSERT INTO bookings SELECT generate_series(1, 100)');
    await client.end();
    await mariadbQuery(myDatabase.url, 'CREATE TABLE bookings (id INT PRIMARY KEY) ENGINE=InnoDB; INSERT INTO bookings SELECT seq FROM seq_1_to_100');
    ({ app, chat } = await chatWith({ postgres: [{ name: 'hotel-db', url: pgDatabase.url }], mysql: [{ name: 'appointments-db', url: myDatabase.url }] }));
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all([pgDatabase?.drop(), myDatabase?.drop()]);
  });

  it('runs ANALYZE on the PostgreSQL target and ANALYZE TABLE on the MySQL target', async () => {
    const onPostgres = await chat.type(alice, 'analyze bookings --target hotel-db');
    expect(onPostgres.outcome).toBe('ok');
    expect(text(chat.latest(onPostgres.handles[0]!))).toMatch(/analyzed public\.bookings in [\d.]+ s/);
    expect(text(chat.latest(onPostgres.handles[0]!))).toContain('SQL: ANALYZE \\"public\\".\\"bookings\\"');

    const onMysql = await chat.type(alice, 'analyze bookings --target appointments-db');
    expect(onMysql.outcome).toBe('ok');
    const done = text(chat.latest(onMysql.handles[0]!));
    expect(done).toContain(`analyzed ${myDatabase.name}.bookings in`);
    expect(done).toContain(`SQL: ANALYZE TABLE \`${myDatabase.name}\`.\`bookings\``);
    expect(done).toContain('status: OK');
  });

  it('asks privately for --target when both systems have targets, and names a target that cannot analyze', async () => {
    const ambiguous = await chat.type(bob, 'analyze bookings');
    expect(ambiguous.handles).toEqual([]);
    expect(chat.privateTexts(bob).at(-1)).toBe('Several targets can analyze; name one with --target: hotel-db (postgres), appointments-db (mysql).');
    await chat.type(bob, 'analyze bookings --target appointments-dbb');
    expect(chat.privateTexts(bob).at(-1)).toMatch(/^No target named "appointments-dbb" can analyze; postgres and mysql targets can: hotel-db \(postgres\), appointments-db \(mysql\)\. Did you mean appointments-db\?$/);
  });

  it('refuses a table that is not there, with similar names', async () => {
    await chat.type(bob, 'analyze booking --target appointments-db');
    expect(chat.privateTexts(bob).at(-1)).toMatch(new RegExp(`^No table named "booking" in database "${myDatabase.name}" on target appointments-db; tables with a similar name: bookings\\.`));
  });
});

describe('hostile table names', () => {
  let database: OwnDatabase;
  beforeAll(async () => {
    database = await createOwnMariadbDatabase('maintbot_hostile');
    await mariadbQuery(database.url, 'CREATE TABLE canary (id INT PRIMARY KEY); INSERT INTO canary VALUES (1), (2), (3); CREATE TABLE x (id INT)');
  });
  afterAll(async () => {
    await database?.drop();
  });

  it.each(['x; DROP TABLE canary', 'x`; DROP TABLE canary; -- ', 'x\u0000; DROP TABLE canary', 'canary`.`x', `${'a'.repeat(65)}`, 'x\nDROP TABLE canary'])(
    'refuses %j for analyze and optimize, and the canary table survives',
    async (name) => {
      const target = mysqlTargetSchema.parse({ name: 'appointments-db', url: database.url });
      for (const action of [mysqlAnalyzeAction([target]), mysqlOptimizeAction([target])]) {
        const input = action.inputs.parse({ table: name });
        await expect(action.plan(input, actionContext())).rejects.toBeInstanceOf(UserError);
        await expect(action.run(input, actionContext())).rejects.toBeInstanceOf(UserError);
      }
      expect((await mariadbQuery(database.url, 'SELECT COUNT(*) FROM canary')).trim()).toBe('3');
      expect((await mariadbQuery(database.url, 'SELECT COUNT(*) FROM x')).trim()).toBe('0');
    },
  );

  it('says what is wrong with the name', async () => {
    const action = mysqlAnalyzeAction([mysqlTargetSchema.parse({ name: 'appointments-db', url: database.url })]);
    await expect(action.plan(action.inputs.parse({ table: 'x`y' }), actionContext())).rejects.toThrow('The table name "x`y" contains a backtick; nothing was run.');
    await expect(action.plan(action.inputs.parse({ table: 'x\u0000' }), actionContext())).rejects.toThrow('The table name "x\\u0000" contains a control character (such as NUL); nothing was run.');
    await expect(action.plan(action.inputs.parse({ table: 'x; DROP TABLE canary' }), actionContext())).rejects.toThrow(/^No table named "x; DROP TABLE canary" in database/);
  });
});

describe('optimize, after a second person approves', () => {
  let database: OwnDatabase;
  let app: App;
  let chat: TestChat;

  beforeAll(async () => {
    database = await createOwnMariadbDatabase('maintbot_optimize');
    ({ app, chat } = await chatWith({ mysql: [{ name: 'appointments-db', url: database.url }] }));
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  const fragmented = async (table: string) =>
    mariadbQuery(
      database.url,
      `CREATE TABLE ${table} (id INT PRIMARY KEY AUTO_INCREMENT, pad VARCHAR(1000)) ENGINE=InnoDB;
       INSERT INTO ${table} (pad) SELECT REPEAT('x', 1000) FROM seq_1_to_8000;
       DELETE FROM ${table} WHERE id % 10 <> 0`,
    );

  it('shows size, free space, engine and what it locks, runs nothing before approval, then gives the space back', async () => {
    await fragmented('appointments');
    const before = await dataFree(database.name, 'appointments');
    expect(before).toBeGreaterThan(1024 * 1024);

    const { handles } = await chat.type(alice, 'optimize appointments');
    const card = report(chat, handles[0]!);
    expect(card.title).toBe('Approval needed: optimize');
    const plan = text(card);
    expect(plan).toContain(`SQL: OPTIMIZE TABLE \`${database.name}\`.\`appointments\``);
    expect(plan).toMatch(/table: InnoDB, [\d.]+ (KiB|MiB) \(data and indexes\), [\d.]+ MiB free inside, about \d+ rows/);
    expect(plan).toContain('reads and writes continue, with a short exclusive metadata lock at the start and the end');
    expect(await dataFree(database.name, 'appointments')).toBe(before);

    await chat.click(bob, handles[0]!, 'Approve');
    const done = report(chat, handles[0]!);
    expect(done.status).toBe('ok');
    expect(text(done)).toMatch(new RegExp(`optimized ${database.name}\\.appointments in [\\d.]+ s: [\\d.]+ MiB → [\\d.]+ (B|KiB|MiB) free inside`));
    expect(await dataFree(database.name, 'appointments')).toBeLessThan(before);
    expect((await mariadbQuery(database.url, 'SELECT COUNT(*) FROM appointments')).trim()).toBe('800');
  });

  it('refuses a table name longer than MySQL allows before planning anything, privately', async () => {
    const { handles } = await chat.type(alice, `optimize ${'a'.repeat(65)}`);
    expect(handles).toEqual([]);
    expect(chat.privateTexts(alice).at(-1)).toMatch(/64/);
  });

  it('refuses to run when the approved table was replaced by another of the same name', async () => {
    await fragmented('services');
    const { handles } = await chat.type(alice, 'optimize services');
    await mariadbQuery(database.url, 'DROP TABLE services; CREATE TABLE services (id INT PRIMARY KEY) ENGINE=MyISAM');
    await chat.click(bob, handles[0]!, 'Approve');
    const done = report(chat, handles[0]!);
    expect(done.status).toBe('crit');
    expect(text(done)).toContain(`The table ${database.name}.services that was approved no longer exists as planned on target appointments-db; nothing was run.`);
  });
});

describe('terminate-long-queries on a MariaDB of its own', () => {
  let server: OwnMariadb;
  let app: App;
  let chat: TestChat;
  const connections: mysql.Connection[] = [];
  const ownSessions: MysqlSession[] = [];

  const appConnection = async () => {
    const connection = await mysql.createConnection({ host: '127.0.0.1', port: server.port, user: 'app', password: 'app-password', database: 'test' });
    connection.on('error', () => undefined);
    connections.push(connection);
    return connection;
  };
  const processlist = async (id: number) => {
    const [time, command, info] = (await mariadbQuery(server.server, `SELECT TIME, COMMAND, COALESCE(INFO, '') FROM information_schema.PROCESSLIST WHERE ID = ${id}`)).trim().split('\t');
    return time === undefined || time === '' ? undefined : { time: Number(time), command, info };
  };

  beforeAll(async () => {
    server = await startOwnMariadb();
    await mariadbQuery(server.server, "CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY 'app-password'; GRANT ALL ON test.* TO 'app'@'127.0.0.1'");
    ({ app, chat } = await chatWith({ mysql: [{ name: 'appointments-db', url: server.url() }] }));
  });
  afterEach(async () => {
    for (const connection of connections.splice(0)) {
      connection.destroy();
      await mariadbQuery(server.server, `KILL ${connection.threadId}`).catch(() => undefined);
    }
    for (const session of ownSessions.splice(0)) {
      session.destroy();
      await mariadbQuery(server.server, `KILL ${session.threadId}`).catch(() => undefined);
    }
  });
  afterAll(async () => {
    await app?.close();
    await server?.stop();
  });

  it('kills exactly the listed statements whose id, start and query still match, never the bot’s own', async () => {
    const [first, second] = [await appConnection(), await appConnection()];
    const firstQuery = first.query('SELECT SLEEP(60) AS report_a').catch((error: unknown) => error);
    void second.query('SELECT SLEEP(60) AS report_b').catch(() => undefined);
    const own = await openMysqlSession({ url: server.url(), programName: 'maintbot-test', connectTimeoutMs: 5000 }, new AbortController().signal);
    ownSessions.push(own);
    void own.query('SELECT SLEEP(60) AS the_bots_own').catch(() => undefined);
    await eventually('three statements running 1 s', async () => {
      const rows = await Promise.all([first.threadId, second.threadId, own.threadId].map(processlist));
      return rows.every((row) => row && row.time >= 1);
    });

    const { handles } = await chat.type(alice, 'terminate-long-queries --older-than 1s');
    const card = report(chat, handles[0]!);
    expect(card.title).toBe('Approval needed: terminate-long-queries');
    const plan = text(card);
    expect(plan).toContain('KILL QUERY for 2 statements on every database of target appointments-db');
    expect(plan).toMatch(new RegExp(`id ${first.threadId}: user app, database test, started \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z, running \\d+ s: SELECT SLEEP\\(60\\) AS report_a`));
    expect(plan).toContain(`id ${second.threadId}: user app`);
    expect(plan).not.toContain('the_bots_own');

    await mariadbQuery(server.server, `KILL QUERY ${second.threadId}`);
    await eventually('the second connection idle', async () => (await processlist(second.threadId))?.command === 'Sleep');
    void second.query('SELECT SLEEP(60) AS another_report').catch(() => undefined);
    await eventually('the second connection in its new query', async () => (await processlist(second.threadId))?.info?.includes('another_report'));

    await chat.click(bob, handles[0]!, 'Approve');
    const done = text(report(chat, handles[0]!));
    expect(done).toContain('killed 1 of 2 planned statements on appointments-db');
    await eventually('the first statement ended by the kill', async () => (await processlist(first.threadId))?.command === 'Sleep');
    expect(await firstQuery).toBeDefined();
    expect((await processlist(second.threadId))?.info).toContain('another_report');
    expect((await processlist(own.threadId))?.info).toContain('the_bots_own');
  });

  it('refuses --idle-in-transaction on a MySQL target, privately', async () => {
    const { handles } = await chat.type(bob, 'terminate-long-queries --idle-in-transaction 10m');
    expect(handles).toEqual([]);
    expect(chat.privateTexts(bob).at(-1)).toMatch(/^--idle-in-transaction works on PostgreSQL targets only/);
  });
});
