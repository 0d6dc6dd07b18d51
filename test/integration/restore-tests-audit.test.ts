import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { PostgresAuditTrail } from '../../src/audit/postgres-audit-trail.js';
import { configSchema } from '../../src/config/schema.js';
import type { ActionContext } from '../../src/core/action.js';
import type { Report } from '../../src/core/report.js';
import { createLogger } from '../../src/logging/logger.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { backupActions } from '../../src/systems/postgres/backup/actions.js';
import { createOwnDatabase, eventually, sharedPostgres, type OwnDatabase } from '../support/services.js';
import { person, reportLines, TestChat } from '../support/test-chat.js';

const suffix = randomBytes(4).toString('hex');
const prefix = `maintbot_rta_${suffix}_`;
const logger = createLogger({ level: 'silent', pretty: false });
const alice = person('alice', ['operator']);

let source: OwnDatabase;
let auditDb: OwnDatabase;
let admin: pg.Client;
let dir: string;
let app: App;
let chat: TestChat;

function targets(checks: { name: string; sql: string }[] = []) {
  return configSchema.parse({
    targets: { postgres: [{ name: 'shop-db', url: source.url, backup: { dir, retention: { keep_last: 1 }, restore_test: { scratch_prefix: prefix, checks } } }] },
  }).targets;
}

function report(handle: { platform: string; id: string }): Report {
  return chat.latestReport(handle);
}

const lines = reportLines;

async function auditRows(): Promise<{ target: string; dump: string; outcome: string; restore_ms: string | null; entry: { by?: string; reason?: string } }[]> {
  return (await admin.query(`SELECT target, dump, outcome, restore_ms, entry FROM maintbot_restore_tests ORDER BY at, id`)).rows;
}

async function dumps(): Promise<string[]> {
  return (await readdir(dir)).filter((name) => name.endsWith('.dump')).sort();
}

beforeAll(async () => {
  source = await createOwnDatabase('maintbot_rta_source');
  auditDb = await createOwnDatabase('maintbot_rta_audit');
  const db = new pg.Client(source.url);
  await db.connect();
  await db.query(`
    CREATE TABLE hotels (id int PRIMARY KEY, name text);
    INSERT INTO hotels SELECT g, md5(g::text) FROM generate_series(1, 3000) g;
  `);
  await db.end();
  admin = new pg.Client(auditDb.url);
  await admin.connect();
  dir = await mkdtemp(path.join(tmpdir(), 'maintbot-rta-'));
  const config = configSchema.parse({ audit: { database_url: auditDb.url }, targets: targets() });
  app = await buildApp(config, logger, { store: new MemoryStore() });
  chat = new TestChat(() => app.router);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await admin?.end();
  const server = new pg.Client(`${sharedPostgres}/postgres`);
  await server.connect();
  const leftovers = await server.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [prefix]);
  for (const row of leftovers.rows) await server.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
  await server.end();
  await source?.drop();
  await auditDb?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('the restore-test history in the audit database', () => {
  it('keeps every test there, and /maint restore-tests shows them from there even after retention removed the dump and its history', async () => {
    await chat.type(alice, 'backup');
    const [first] = await dumps();
    expect(report((await chat.type(alice, 'restore-test')).handles[0]!).status).toBe('ok');

    await chat.type(alice, 'backup');
    const [second] = await dumps();
    expect(second).not.toBe(first);
    expect(await readdir(dir)).not.toContain(`${first}.restore-tests.jsonl`);
    expect(report((await chat.type(alice, 'restore-test')).handles[0]!).status).toBe('ok');

    const rows = await auditRows();
    expect(rows.map((row) => [row.target, row.dump, row.outcome, row.entry.by])).toEqual([
      ['shop-db', first, 'passed', 'alice'],
      ['shop-db', second, 'passed', 'alice'],
    ]);
    expect(rows.every((row) => Number(row.restore_ms) > 0)).toBe(true);

    const shown = lines(report((await chat.type(alice, 'restore-tests shop-db')).handles[0]!));
    expect(shown[0]).toMatchObject({ status: 'ok', label: 'RTO trend', note: '2 tests kept in the audit database' });
    expect(shown[0]!.value).toMatch(/^[\d.]+ s, [\d.]+ s \([+-]?\d+ % over 2 tests\)$/);
    expect(shown.slice(1).map((line) => line.note)).toEqual([second, first]);
  });

  it('a restore test stopped midway is kept there as interrupted, and the earlier pass stays the last pass', async () => {
    const audited = app.audit as PostgresAuditTrail;
    const actions = backupActions(targets([{ name: 'slow check', sql: 'SELECT pg_sleep(600) IS NOT NULL' }]).postgres, {
      services: { containers: () => undefined, containerTargets: () => [], restoreTestLog: () => audited.restoreTests },
    });
    const stop = new AbortController();
    const context: ActionContext = {
      invocation: { id: 'x', platform: 'console', actor: alice, channel: { id: 'C' }, text: '', origin: 'typed', receivedAt: new Date() },
      logger,
      signal: stop.signal,
      progress: async () => {},
    };
    const running = actions.find((action) => action.name === 'postgres.restore-test')!.run({ target: 'shop-db' }, context);
    const server = new pg.Client(`${sharedPostgres}/postgres`);
    await server.connect();
    try {
      await eventually('the restore test to reach its slow check', async () => {
        const busy = await server.query("SELECT 1 FROM pg_stat_activity WHERE starts_with(datname, $1) AND query LIKE '%pg_sleep(600)%'", [prefix]);
        return Boolean(busy.rowCount);
      });
      stop.abort(new Error('shutting down'));
      await expect(running).rejects.toThrow();
      expect((await server.query('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [prefix])).rows).toEqual([]);
    } finally {
      await server.end();
    }

    const rows = await auditRows();
    expect(rows.map((row) => row.outcome)).toEqual(['passed', 'passed', 'interrupted']);
    expect(rows[2]!.entry.reason).toMatch(/stopped before it finished/);
    const shown = lines(report((await chat.type(alice, 'restore-tests shop-db')).handles[0]!));
    expect(shown[0]).toMatchObject({ status: 'ok', note: '3 tests kept in the audit database' });
    expect(shown[1]).toMatchObject({ status: 'warn', value: expect.stringMatching(/^interrupted · /) });
    const [newest] = await dumps();
    expect(JSON.parse(await readFile(path.join(dir, `${newest}.restore-test.json`), 'utf8'))).toMatchObject({ passed: true });
  }, 60_000);

  it('when the audit database cannot be read, /maint restore-tests answers from the history beside the dumps and says so', async () => {
    await admin.query('ALTER TABLE maintbot_restore_tests RENAME TO maintbot_restore_tests_away');
    try {
      const shown = lines(report((await chat.type(alice, 'restore-tests shop-db')).handles[0]!));
      expect(shown[0]).toMatchObject({ label: 'RTO trend', note: '2 tests kept beside the dumps (the audit database could not be read)' });
      expect(shown.slice(1).map((line) => line.value.split(' · ')[0])).toEqual(['interrupted', 'passed']);
    } finally {
      await admin.query('ALTER TABLE maintbot_restore_tests_away RENAME TO maintbot_restore_tests');
    }
  });
});
