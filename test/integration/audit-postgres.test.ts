import { randomBytes } from 'node:crypto';
import net from 'node:net';
import pg from 'pg';
import type { Logger } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditMigrations, migrateAuditSchema } from '../../src/audit/audit-migrations.js';
import { openAuditTrail } from '../../src/audit/open-audit-trail.js';
import { PostgresAuditTrail } from '../../src/audit/postgres-audit-trail.js';
import { UserError } from '../../src/core/errors.js';
import { capturedLogger } from '../support/logs.js';
import { auditEvent as event } from '../support/memory-audit.js';

const server = 'postgres://postgres@127.0.0.1:5432';
const prefix = `maintbot_audit_test_${randomBytes(4).toString('hex')}`;
const created: string[] = [];
const opened: PostgresAuditTrail[] = [];
let admin: pg.Client;

async function freshDatabase(): Promise<string> {
  const name = `${prefix}_${created.length}`;
  await admin.query(`create database ${name}`);
  created.push(name);
  return `${server}/${name}`;
}

async function openTrail(url: string, logger: Logger = capturedLogger().logger): Promise<PostgresAuditTrail> {
  const trail = await PostgresAuditTrail.open(url, logger);
  opened.push(trail);
  return trail;
}

async function query<Row extends pg.QueryResultRow>(url: string, sql: string): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql)).rows;
  } finally {
    await client.end();
  }
}

async function closedPort(): Promise<number> {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as net.AddressInfo;
  await new Promise<void>((resolve) => listener.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  admin = new pg.Client({ connectionString: `${server}/postgres` });
  await admin.connect();
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((trail) => trail.close()));
});

afterAll(async () => {
  for (const name of created) await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
});

describe('PostgreSQL audit trail', () => {
  it('returns a full record exactly as it was recorded, arguments and dates included', async () => {
    const trail = await openTrail(await freshDatabase());
    const full = event({
      kind: 'step',
      channel: 'C042',
      command: 'vacuum orders --full',
      runbook: 'vacuum',
      step: 'vacuum-full',
      action: 'postgres.vacuum',
      approvalId: '7f3a',
      args: { table: 'orders', full: true, limit: 3, ratio: 0.25, tags: ['a', 'b'], nested: { none: null, name: 'Zoë ✓' } },
      outcome: 'failed',
      detail: 'lock timeout after 30 s',
      durationMs: 1234,
    });
    const minimal = event({ at: new Date('2024-05-01T09:00:01.456Z'), invocationId: 'inv-2' });
    await trail.record(full);
    await trail.record(minimal);

    const [newest, older] = await trail.latest(10);
    expect(newest).toStrictEqual(minimal);
    expect(older).toStrictEqual(full);
    expect(older!.at).toBeInstanceOf(Date);
  });

  it('lists the newest records first and no more than asked', async () => {
    const trail = await openTrail(await freshDatabase());
    for (const minute of [3, 1, 4, 0, 2]) {
      await trail.record(event({ at: new Date(Date.UTC(2024, 4, 1, 9, minute)), invocationId: `inv-${minute}` }));
    }

    expect((await trail.latest(3)).map((record) => record.invocationId)).toEqual(['inv-4', 'inv-3', 'inv-2']);
    expect(await trail.latest(100)).toHaveLength(5);
    expect(await trail.latest(0)).toEqual([]);
  });

  it('stores hostile text as data, through parameters only', async () => {
    const url = await freshDatabase();
    const trail = await openTrail(url);
    const hostile = "x'); drop table maintbot_audit; --";
    await trail.record(event({ command: hostile, detail: hostile, args: { table: hostile } }));

    const [stored] = await trail.latest(1);
    expect(stored!.command).toBe(hostile);
    expect(stored!.args).toEqual({ table: hostile });
    expect(await query(url, 'select count(*)::int as n from maintbot_audit')).toEqual([{ n: 1 }]);
  });

  it('migrates once and keeps the records when opened again', async () => {
    const url = await freshDatabase();
    const first = await openTrail(url);
    await first.record(event());
    await first.close();
    const second = await openTrail(url);

    expect(await second.latest(5)).toHaveLength(1);
    const versions = await query<{ version: number }>(url, 'select version from maintbot_schema_migrations order by version');
    expect(versions).toEqual([{ version: 1 }, { version: 2 }]);
    const indexes = await query<{ indexname: string }>(url, "select indexname from pg_indexes where tablename = 'maintbot_audit' order by indexname");
    expect(indexes.map((row) => row.indexname)).toEqual(['maintbot_audit_at_idx', 'maintbot_audit_invocation_idx', 'maintbot_audit_pkey']);
  });

  it('brings an audit database of the first schema up to the restore-test history, keeping its records', async () => {
    const url = await freshDatabase();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await migrateAuditSchema(client, auditMigrations.slice(0, 1));
      await client.query("insert into maintbot_audit (at, kind, invocation_id, platform, actor_id, actor_name, outcome) values (now(), 'command', 'old', 'console', 'u1', 'alice', 'ok')");
    } finally {
      await client.end();
    }
    const trail = await openTrail(url);
    expect((await trail.latest(5)).map((record) => record.invocationId)).toEqual(['old']);
    await trail.restoreTests.append({ at: '2026-11-30T07:00:00.000Z', target: 'shop-db', dump: 'a.dump', outcome: 'passed', restore_ms: 1200, checks: [], duration_ms: 1500 });
    expect(await trail.restoreTests.ofTarget('shop-db', 5)).toEqual({
      entries: [{ at: '2026-11-30T07:00:00.000Z', target: 'shop-db', dump: 'a.dump', outcome: 'passed', restore_ms: 1200, checks: [], duration_ms: 1500 }],
      total: 1,
    });
    expect(await trail.restoreTests.ofTarget('other-db', 5)).toEqual({ entries: [], total: 0 });
  });

  it('migrates a fresh database exactly once when several bots start at the same moment', async () => {
    const url = await freshDatabase();
    const { logger, records } = capturedLogger();

    const trails = await Promise.all(Array.from({ length: 6 }, () => openTrail(url, logger)));
    await Promise.all(trails.map((trail, index) => trail.record(event({ invocationId: `bot-${index}` }))));

    expect(await query(url, 'select version from maintbot_schema_migrations order by version')).toEqual([{ version: 1 }, { version: 2 }]);
    expect(records().filter((record) => record.msg === 'audit database migrated')).toHaveLength(1);
    expect(await trails[0]!.latest(10)).toHaveLength(6);
  });

  it('logs a record it cannot store instead of throwing', async () => {
    const url = await freshDatabase();
    const { logger, records } = capturedLogger();
    const trail = await openTrail(url, logger);
    await query(url, 'drop table maintbot_audit');

    await expect(trail.record(event({ invocationId: 'lost-1' }))).resolves.toBeUndefined();

    const failure = records().find((record) => record.msg === 'audit record not stored');
    expect(failure).toMatchObject({ level: 'error', code: 'AUDIT_WRITE_FAILED', invocation: 'lost-1', kind: 'command' });
    expect(String(failure!.reason)).toContain('maintbot_audit');
  });

  it('refuses to start with a clear, masked message when the database is not reachable', async () => {
    const url = `postgres://maint:hunter2@127.0.0.1:${await closedPort()}/maint`;

    const failure = await PostgresAuditTrail.open(url, capturedLogger().logger).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(UserError);
    expect((failure as Error).message).toMatch(/^audit database not reachable at postgres:\/\/maint:\*\*\*@127\.0\.0\.1:\d+\/maint \(ECONNREFUSED\)$/);
    expect((failure as Error).message).not.toContain('hunter2');
  });

  it('names a missing database in the start error', async () => {
    const failure = await PostgresAuditTrail.open(`${server}/${prefix}_missing`, capturedLogger().logger).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(UserError);
    expect((failure as Error).message).toContain('3D000');
    expect((failure as Error).message).toContain(`${prefix}_missing`);
  });

  it('is what openAuditTrail opens when a database URL is configured', async () => {
    const url = await freshDatabase();
    const trail = await openAuditTrail({ database_url: url, file: '/nonexistent/never-written.jsonl' }, capturedLogger().logger);
    await trail.record(event({ invocationId: 'via-open' }));
    await trail.close();

    expect(trail).toBeInstanceOf(PostgresAuditTrail);
    expect(await query(url, 'select invocation_id from maintbot_audit')).toEqual([{ invocation_id: 'via-open' }]);
  });
});
