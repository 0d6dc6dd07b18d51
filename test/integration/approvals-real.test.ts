import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { PostgresAuditTrail } from '../../src/audit/postgres-audit-trail.js';
import { configSchema } from '../../src/config/schema.js';
import type { Report } from '../../src/core/report.js';
import { createLogger } from '../../src/logging/logger.js';
import { renderText } from '../../src/render/text.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { dockerClient, removeTestContainers, startTestContainer } from '../support/docker.js';
import { eventually, startOwnPostgres, type OwnPostgres } from '../support/services.js';
import { person, TestChat } from '../support/test-chat.js';

const suffix = randomBytes(4).toString('hex');
const database = `maintbot_approvals_${suffix}`;
const auditDatabase = `maintbot_approvals_audit_${suffix}`;
const sleeperRole = `maintbot_sleeper_${suffix}`;
const containerName = `maintbot-test-approve-${suffix}`;
const forbiddenName = `maintbot-test-forbidden-${suffix}`;
const storePrefix = `maintbot-test-real-${suffix}:`;
const logger = createLogger({ level: 'silent', pretty: false });

const alice = person('alice', ['operator']);
const bob = person('bob', ['operator']);

let cluster: OwnPostgres;
let server: string;
let admin: pg.Client;
let app: App;
let chat: TestChat;
let audit: PostgresAuditTrail;

beforeAll(async () => {
  cluster = await startOwnPostgres();
  server = cluster.server;
  admin = new pg.Client(`${server}/postgres`);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.query(`CREATE DATABASE ${auditDatabase}`);
  await admin.query(`CREATE ROLE ${sleeperRole} LOGIN`);
  const db = new pg.Client(`${server}/${database}`);
  await db.connect();
  await db.query('CREATE TABLE orders (id int primary key, note text); CREATE TABLE "y" (id int); INSERT INTO orders SELECT g, md5(g::text) FROM generate_series(1, 500) g');
  await db.end();

  await removeTestContainers(containerName);
  await startTestContainer({ name: containerName });
  await startTestContainer({ name: forbiddenName });

  const config = configSchema.parse({
    targets: {
      postgres: [{ name: 'shop-db', url: `${server}/${database}` }],
      docker: [{ name: 'app', containers: [containerName], allow_actions: ['restart'] }],
    },
  });
  audit = await PostgresAuditTrail.open(`${server}/${auditDatabase}`, logger);
  const store = await RedisStore.connect('redis://127.0.0.1:6379', { prefix: storePrefix });
  app = await buildApp(config, logger, { store, audit });
  chat = new TestChat(() => app.router);
  app.outbound.connect(chat.port);
});

afterAll(async () => {
  await app?.close();
  await removeTestContainers(containerName);
  await removeTestContainers(forbiddenName);
  await admin?.end();
  await cluster?.stop();
  const redis = new Redis('redis://127.0.0.1:6379');
  const keys = await redis.keys(`${storePrefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

async function startedAt(name: string): Promise<string> {
  return (await dockerClient().getContainer(name).inspect()).State.StartedAt;
}

async function sleepingOverASecond(pid: number): Promise<boolean> {
  const { rowCount } = await admin.query(
    "SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active' AND query LIKE 'SELECT pg_sleep%' AND query_start < now() - interval '1.1 s'",
    [pid],
  );
  return rowCount === 1;
}

function report(handle: { platform: string; id: string }): Report {
  const message = chat.latest(handle);
  if (message.kind !== 'report') throw new Error(`expected a report, got: ${message.text}`);
  return message;
}

/** The message as the terminal shows it. */
function text(handle: { platform: string; id: string }): string {
  return renderText(chat.latest(handle));
}

function requestId(card: Report): string {
  const approve = card.buttons?.find((button) => button.label === 'Approve');
  if (!approve) throw new Error(`no Approve button on "${card.title}": ${JSON.stringify(card.sections)}`);
  return approve.command.split(' ')[1]!;
}

describe('destructive runbooks against the real Docker and PostgreSQL, approved in chat', () => {
  it('restarts a real container only after a second person approves; 20 concurrent approvals restart it once', async () => {
    const before = await startedAt(containerName);
    const { handles } = await chat.type(alice, `restart ${containerName}`);
    const card = report(handles[0]!);
    expect(card.title).toBe('Approval needed: restart');
    expect(JSON.stringify(card.sections)).toContain(containerName);

    await chat.click(alice, handles[0]!, 'Approve');
    expect(chat.privateTexts(alice).at(-1)).toMatch(/four-eyes rule/);
    expect(await startedAt(containerName)).toBe(before);

    const id = requestId(card);
    const approvers = Array.from({ length: 20 }, (_, index) => person(`approver-${index}`, ['operator']));
    await Promise.all(approvers.map((approver) => chat.type(approver, `approve ${id}`)));
    const after = await startedAt(containerName);
    expect(after).not.toBe(before);
    expect(text(handles[0]!)).toMatch(new RegExp(`${containerName} restarted: now running [\\s\\S]*approved by +approver-\\d+ at \\d\\d:\\d\\d UTC[\\s\\S]*approval ${id}`));

    const events = await audit.latest(200);
    const restarts = events.filter((event) => event.kind === 'step' && event.action === 'docker.restart' && event.outcome === 'ok');
    expect(restarts).toHaveLength(1);
    expect(events.filter((event) => event.approvalId === id && event.outcome === 'approved')).toHaveLength(1);
    expect(events.some((event) => event.approvalId === id && event.outcome === 'refused' && event.actor.name === 'alice')).toBe(true);
    expect(await startedAt(containerName)).toBe(after);
  });

  it('runs nothing when rejected, and refuses a container config does not allow', async () => {
    const before = await startedAt(containerName);
    const { handles } = await chat.type(alice, `restart ${containerName}`);
    await chat.click(bob, handles[0]!, 'Reject');
    expect(report(handles[0]!).title).toBe('Rejected: restart');
    expect(await startedAt(containerName)).toBe(before);

    const forbidden = await chat.type(alice, `restart ${forbiddenName}`);
    expect(forbidden).toEqual({ outcome: 'refused', handles: [] });
    expect(chat.privateTexts(alice).at(-1)).toMatch(new RegExp(`not in the allow-list .*Allowed containers: .*${containerName}`));
  });

  it('refuses hostile table names and leaves the database untouched', async () => {
    for (const hostile of ['orders; DROP TABLE orders', 'x"; DROP TABLE y; --', 'DROP']) {
      expect(await chat.type(alice, `vacuum '${hostile}' --full`)).toEqual({ outcome: 'refused', handles: [] });
      expect(chat.privateTexts(alice).at(-1)).toMatch(/^No table named/);
    }
    const db = new pg.Client(`${server}/${database}`);
    await db.connect();
    const tables = await db.query<{ relname: string }>("SELECT relname FROM pg_class WHERE relname IN ('orders', 'y') ORDER BY relname");
    const rows = await db.query<{ count: string }>('SELECT count(*) FROM orders');
    await db.end();
    expect(tables.rows.map((row) => row.relname)).toEqual(['orders', 'y']);
    expect(rows.rows[0]?.count).toBe('500');
  });

  it('terminates a real long query only after approval, and the plan listed it', async () => {
    const sleeper = new pg.Client({ connectionString: `postgres://${sleeperRole}@127.0.0.1:${cluster.port}/${database}` });
    await sleeper.connect();
    sleeper.on('error', () => {});
    const pid = (await sleeper.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const sleeping = sleeper.query('SELECT pg_sleep(60)').catch((error: Error) => error);
    await eventually('the pg_sleep query running for over 1 s', () => sleepingOverASecond(pid));

    const { handles } = await chat.type(alice, `terminate-long-queries --older-than 1s --database ${database}`);
    const card = report(handles[0]!);
    const planText = JSON.stringify(card.sections);
    expect(planText).toContain(String(pid));
    expect(planText).toContain(sleeperRole);
    expect(planText).toContain('pg_sleep(60)');
    const alive = await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]);
    expect(alive.rowCount).toBe(1);

    await chat.click(bob, handles[0]!, 'Approve');
    const outcome = await sleeping;
    expect(outcome).toBeInstanceOf(Error);
    expect(String((outcome as Error).message)).toMatch(/terminat/);
    expect(text(handles[0]!)).toMatch(/terminated 1 of 1 planned session on shop-db[\s\S]*approved by +bob at \d\d:\d\d UTC/);
    await sleeper.end().catch(() => undefined);
  });
});
