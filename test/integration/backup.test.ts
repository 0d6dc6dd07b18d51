import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { backupActions } from '../../src/systems/postgres/backup/actions.js';
import { takeBackup } from '../../src/systems/postgres/backup/dump.js';
import { backupFileName } from '../../src/systems/postgres/backup/files.js';
import { defaultPgToolLookup } from '../../src/systems/postgres/backup/pg-tools.js';
import { configSchema } from '../../src/config/schema.js';
import type { Report } from '../../src/core/report.js';
import type { ActionContext } from '../../src/core/action.js';
import { postgresTargetSchema } from '../../src/systems/postgres/probe.js';
import { createLogger } from '../../src/logging/logger.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { person, reportLines, TestChat } from '../support/test-chat.js';
import { MemoryAudit } from '../support/memory-audit.js';

const suffix = randomBytes(4).toString('hex');
const server = 'postgres://postgres@127.0.0.1:5432';
const database = `maintbot_backup_${suffix}`;
const prefix = `maintbot_bt_${suffix}_`;
const logger = createLogger({ level: 'silent', pretty: false });
const alice = person('alice', ['operator']);


let admin: pg.Client;
let dir: string;
let app: App;
let chat: TestChat;

beforeAll(async () => {
  admin = new pg.Client(`${server}/postgres`);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  const db = new pg.Client(`${server}/${database}`);
  await db.connect();
  await db.query(`
    CREATE SCHEMA sales;
    CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);
    CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers(id), total numeric(10,2));
    CREATE TABLE "Order Notes" (id serial PRIMARY KEY, body text);
    CREATE TABLE sales.invoices (id bigint PRIMARY KEY, order_id int REFERENCES orders(id), issued date);
    CREATE INDEX ON orders (customer_id);
    INSERT INTO customers SELECT g, md5(g::text) FROM generate_series(1, 2000) g;
    INSERT INTO orders SELECT g, 1 + g % 2000, g * 1.5 FROM generate_series(1, 5000) g;
    INSERT INTO "Order Notes" (body) SELECT repeat(md5(g::text), 4) FROM generate_series(1, 3000) g;
    INSERT INTO sales.invoices SELECT g, g, date '2024-01-01' + g % 365 FROM generate_series(1, 4000) g;
  `);
  await db.end();
  dir = await mkdtemp(path.join(tmpdir(), 'maintbot-backups-'));
  const config = configSchema.parse({
    targets: {
      postgres: [
        {
          name: 'shop-db',
          url: `${server}/${database}`,
          backup: {
            dir,
            retention: { keep_last: 5 },
            restore_test: {
              scratch_prefix: prefix,
              checks: [
                { name: 'customers not empty', sql: 'SELECT count(*) > 0 FROM customers' },
                { name: 'every order has a customer', sql: 'SELECT NOT EXISTS (SELECT 1 FROM orders o LEFT JOIN customers c ON c.id = o.customer_id WHERE c.id IS NULL)' },
              ],
            },
          },
        },
      ],
    },
  });
  app = await buildApp(config, logger, { store: new MemoryStore(), audit: new MemoryAudit() });
  await app.startupTasks;
  chat = new TestChat(() => app.router);
}, 60_000);

afterAll(async () => {
  await app?.close();
  const leftovers = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [prefix]);
  for (const row of leftovers.rows) await admin.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
  await rm(dir, { recursive: true, force: true });
});

function report(handle: { platform: string; id: string }): Report {
  return chat.latestReport(handle);
}

const lines = reportLines;

async function scratchDatabases(): Promise<string[]> {
  return (await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [prefix])).rows.map((row) => row.datname);
}

function contextFor(): ActionContext {
  return { invocation: { id: 'x', platform: 'console', actor: alice, channel: { id: 'C' }, text: '', origin: 'typed', receivedAt: new Date() }, logger, signal: new AbortController().signal, progress: async () => {} };
}

describe('backups and restore tests against the real PostgreSQL', () => {
  it('backs up a sample database with a checksum and exact row counts, and a restore test passes with matching counts', async () => {
    const backup = await chat.type(alice, 'backup');
    const backupCard = report(backup.handles[0]!);
    expect(backupCard.status).toBe('ok');
    expect(backupCard.title).toBe(`Backup of ${database} on shop-db`);

    const files = (await readdir(dir)).sort();
    const dump = files.find((name) => name.endsWith('.dump'))!;
    expect(dump).toMatch(new RegExp(`^shop-db-${database}-\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}\\.\\d{3}Z\\.dump$`));
    expect(files).toEqual([dump, `${dump}.meta.json`, `${dump}.sha256`, `${dump}.xxh64`]);
    const { stdout } = await promisify(execFile)('sha256sum', ['-c', `${dump}.sha256`], { cwd: dir });
    expect(stdout).toContain(`${dump}: OK`);
    const meta = JSON.parse(await readFile(path.join(dir, `${dump}.meta.json`), 'utf8'));
    expect(await readFile(path.join(dir, `${dump}.xxh64`), 'utf8')).toBe(`${meta.xxh64}  ${dump}\n`);
    expect(meta.xxh64).toMatch(/^[0-9a-f]{16}$/);
    expect(meta.counts_taken).toBe('same snapshot');
    expect(meta.tables).toEqual([
      { schema: 'public', name: 'Order Notes', rows: 3000 },
      { schema: 'public', name: 'customers', rows: 2000 },
      { schema: 'public', name: 'orders', rows: 5000 },
      { schema: 'sales', name: 'invoices', rows: 4000 },
    ]);

    const test = await chat.type(alice, 'restore-test');
    const testCard = report(test.handles[0]!);
    expect(testCard.title).toBe(`Restore test of ${dump}: passed`);
    expect(testCard.status).toBe('ok');
    const shown = lines(testCard);
    expect(shown.find((line) => line.label === 'checksum')?.value).toBe('verified');
    expect(shown.find((line) => line.label === 'restore time (RTO)')?.value).toMatch(/^\d+\.\d s$/);
    expect(shown.find((line) => line.label === 'sales.invoices')?.value).toBe('4000 rows (expected 4000)');
    expect(shown.find((line) => line.label === 'every order has a customer')?.value).toBe('passed');
    expect(testCard.sections.map((section) => section.title)).toContain('tables (against counts recorded at backup time)');
    const progress = chat.messages.get(test.handles[0]!.id)!.map((message) => (message.kind === 'notice' ? message.text : ''));
    expect(progress.some((text) => text.includes('verifying checksum'))).toBe(true);
    expect(progress.some((text) => text.includes('restoring (jobs 2)'))).toBe(true);
    expect(progress.some((text) => text.includes('validating 4 tables'))).toBe(true);
    expect(progress.some((text) => text.includes('dropping scratch database'))).toBe(true);
    expect(await scratchDatabases()).toEqual([]);

    const list = await chat.type(alice, 'backups');
    const listed = lines(report(list.handles[0]!)).find((line) => line.label === dump)!;
    expect(listed.status).toBe('ok');
    expect(listed.value).toMatch(/checksum verified [\d.]+ s ago, restore test passed [\d.]+ s ago/);

    const history = await chat.type(alice, 'restore-tests');
    const historyLines = lines(report(history.handles[0]!));
    expect(historyLines[0]).toMatchObject({ status: 'ok', label: 'RTO trend', value: expect.stringMatching(/^\d+\.\d s$/), note: '1 test kept beside the dumps' });
    expect(historyLines[1]!.value).toMatch(/^passed · RTO [\d.]+ s · [\d.]+ [KMG]i?B · 4 tables, 14000 rows · 2 of 2 checks passed · took [\d.]+ s · by alice · on the production server$/);
    expect(historyLines[1]!.note).toBe(dump);
  });

  it('refuses a backup named outside the backup directory, privately, before the run starts', async () => {
    expect(await chat.type(alice, 'restore-test --backup ../../etc/passwd')).toEqual({ outcome: 'refused', handles: [] });
    expect(chat.privateTexts(alice).at(-1)).toContain(`Only backups inside ${dir} can be used`);
    expect(await scratchDatabases()).toEqual([]);
  });

  it('retention keeps the newest and the recent dumps with their sidecar files, and never the other targets', async () => {
    const retained = await mkdtemp(path.join(tmpdir(), 'maintbot-retention-'));
    try {
      const now = Date.now();
      const daysAgo = (days: number) => backupFileName('ret-db', database, new Date(now - days * 86_400_000));
      const old = [daysAgo(5), daysAgo(3), daysAgo(1.5), daysAgo(0.5)];
      const foreign = backupFileName('other-db', database, new Date(now - 9 * 86_400_000));
      for (const name of [...old, foreign]) {
        await writeFile(path.join(retained, name), 'x');
        await writeFile(path.join(retained, `${name}.sha256`), 'y');
        await writeFile(path.join(retained, `${name}.xxh64`), 'z');
        await writeFile(path.join(retained, `${name}.meta.json`), '{}');
      }
      const target = postgresTargetSchema.parse({
        name: 'ret-db',
        url: `${server}/${database}`,
        backup: { dir: retained, retention: { keep_days: 2, keep_last: 2 } },
      }) as Parameters<typeof takeBackup>[0]['target'];
      const outcome = await takeBackup({ target, database, lookup: defaultPgToolLookup(), signal: new AbortController().signal });
      expect(outcome.removed.sort()).toEqual([old[0], old[1]].sort());
      const left = (await readdir(retained)).sort();
      const expected = [outcome.file.name, old[2]!, old[3]!, foreign].flatMap((name) =>
        [name, `${name}.meta.json`, `${name}.sha256`, `${name}.xxh64`],
      );
      expect(left).toEqual(expected.sort());
    } finally {
      await rm(retained, { recursive: true, force: true });
    }
  });

  it('says clearly when pg_dump is missing or older than the server', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'maintbot-nopath-'));
    try {
      const targets = configSchema.parse({ targets: { postgres: [{ name: 'shop-db', url: `${server}/${database}`, backup: { dir: path.join(empty, 'out') } }] } }).targets;
      const missing = backupActions(targets.postgres, { lookup: { libDir: path.join(empty, 'lib'), pathEnv: empty } }).find((action) => action.name === 'postgres.backup')!;
      await expect(missing.run({}, contextFor())).rejects.toThrow(/pg_dump was not found in .*\/lib\/15\/bin nor on the PATH\. Please install postgresql-client-15/);

      await mkdir(path.join(empty, 'old'));
      const fake = path.join(empty, 'old', 'pg_dump');
      await writeFile(fake, '#!/bin/sh\necho "pg_dump (PostgreSQL) 9.6.24"\n');
      await chmod(fake, 0o755);
      const older = backupActions(targets.postgres, { lookup: { libDir: path.join(empty, 'lib'), pathEnv: path.join(empty, 'old') } }).find((action) => action.name === 'postgres.backup')!;
      await expect(older.run({}, contextFor())).rejects.toThrow(/pg_dump is older than the PostgreSQL 15 server.*9\.6\.24/);
      expect(await readdir(path.join(empty, 'out')).catch(() => [])).toEqual([]);
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
