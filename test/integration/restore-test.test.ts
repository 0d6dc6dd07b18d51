import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import type { AuditTrail } from '../../src/audit/audit-trail.js';
import { backupActions } from '../../src/systems/postgres/backup/actions.js';
import { fileDigest, writeDigests } from '../../src/systems/postgres/backup/checksum.js';
import { takeBackup } from '../../src/systems/postgres/backup/dump.js';
import { defaultPgToolLookup } from '../../src/systems/postgres/backup/pg-tools.js';
import { sweepScratchDatabases } from '../../src/systems/postgres/backup/scratch.js';
import type { BackupTarget } from '../../src/systems/postgres/backup/targets.js';
import { configSchema } from '../../src/config/schema.js';
import type { Report } from '../../src/core/report.js';
import type { ActionContext } from '../../src/core/action.js';
import { createLogger } from '../../src/logging/logger.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { eventually } from '../support/services.js';
import { person } from '../support/test-chat.js';

const suffix = randomBytes(4).toString('hex');
const server = 'postgres://postgres@127.0.0.1:5432';
const small = `maintbot_rt_small_${suffix}`;
const large = `maintbot_rt_large_${suffix}`;
const prefix = `maintbot_rt_${suffix}_`;
const logger = createLogger({ level: 'silent', pretty: false });
const root = path.resolve(import.meta.dirname, '../..');

const noAudit: AuditTrail = { record: async () => {}, latest: async () => [], close: async () => {} };

let admin: pg.Client;
let dir: string;

function targetsWith(checks: { name: string; sql: string }[] = [], orphanMaxAge = '6h') {
  return configSchema.parse({
    targets: {
      postgres: [
        { name: 'small-db', url: `${server}/${small}`, backup: { dir, restore_test: { scratch_prefix: prefix, checks, orphan_max_age: orphanMaxAge } } },
        { name: 'large-db', url: `${server}/${large}`, backup: { dir, restore_test: { scratch_prefix: prefix, jobs: 1, orphan_max_age: orphanMaxAge } } },
      ],
    },
  }).targets;
}

function contextFor(signal = new AbortController().signal): ActionContext {
  return {
    invocation: { id: 'x', platform: 'console', actor: person('alice', ['operator']), channel: { id: 'C' }, text: '', origin: 'typed', receivedAt: new Date() },
    logger,
    signal,
    progress: async () => {},
  };
}

async function scratchDatabases(): Promise<string[]> {
  return (await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [prefix])).rows.map((row) => row.datname);
}

async function pgRestoreRunning(childOutput: string): Promise<boolean> {
  if (!childOutput.includes('restoring (jobs 1)')) return false;
  const busy = await admin.query("SELECT 1 FROM pg_stat_activity WHERE starts_with(datname, $1) AND application_name = 'maintbot-restore-test'", [prefix]);
  return busy.rowCount! > 0;
}

async function freshBackup(target: 'small-db' | 'large-db'): Promise<string> {
  const found = targetsWith().postgres.find((candidate) => candidate.name === target) as BackupTarget;
  const outcome = await takeBackup({ target: found, database: target === 'small-db' ? small : large, lookup: defaultPgToolLookup(), signal: new AbortController().signal });
  return outcome.file.path;
}

async function restoreTest(targets = targetsWith(), backup?: string): Promise<Report> {
  const action = backupActions(targets.postgres).find((candidate) => candidate.name === 'postgres.restore-test')!;
  const outcome = await action.run({ target: 'small-db', backup }, contextFor());
  return outcome.message as Report;
}

beforeAll(async () => {
  admin = new pg.Client(`${server}/postgres`);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${small}`);
  await admin.query(`CREATE DATABASE ${large}`);
  const db = new pg.Client(`${server}/${small}`);
  await db.connect();
  await db.query(`
    CREATE TABLE hotels (id int PRIMARY KEY, name text);
    CREATE TABLE bookings (id int PRIMARY KEY, hotel_id int REFERENCES hotels(id), nights int);
    INSERT INTO hotels SELECT g, md5(g::text) FROM generate_series(1, 1000) g;
    INSERT INTO bookings SELECT g, 1 + g % 1000, g % 14 FROM generate_series(1, 6000) g;
  `);
  await db.end();
  const big = new pg.Client(`${server}/${large}`);
  await big.connect();
  await big.query(`
    CREATE TABLE events (id bigint, a text, b text);
    INSERT INTO events SELECT g, md5(g::text), md5((g * 7)::text) FROM generate_series(1, 1500000) g;
    ALTER TABLE events ADD PRIMARY KEY (id);
    CREATE INDEX ON events (a);
    CREATE INDEX ON events (b);
  `);
  await big.end();
  dir = await mkdtemp(path.join(tmpdir(), 'maintbot-restore-'));
}, 60_000);

afterAll(async () => {
  for (const name of await scratchDatabases()) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`DROP DATABASE IF EXISTS ${small} WITH (FORCE)`);
  await admin.query(`DROP DATABASE IF EXISTS ${large} WITH (FORCE)`);
  await admin.end();
  await rm(dir, { recursive: true, force: true });
});

describe('restore tests that must fail, and the sweep of what a crash leaves behind', () => {
  it('fails with a clear reason when bytes of the dump were flipped, and leaves no scratch database', async () => {
    const dump = await freshBackup('small-db');
    const size = (await stat(dump)).size;
    const handle = await open(dump, 'r+');
    const middle = Buffer.alloc(16);
    await handle.read(middle, 0, 16, Math.floor(size / 2));
    await handle.write(middle.map((byte) => byte ^ 0xff), 0, 16, Math.floor(size / 2));
    await handle.close();

    const card = await restoreTest(targetsWith(), path.basename(dump));
    expect(card.status).toBe('crit');
    expect(card.title).toBe(`Restore test of ${path.basename(dump)}: FAILED`);
    expect(card.summary).toMatch(/checksum mismatch: the dump's xxh64 is [0-9a-f]{12}…, but [0-9a-f]{12}… was recorded when it was written; the file is damaged/);
    expect(await scratchDatabases()).toEqual([]);
    const record = JSON.parse(await readFile(`${dump}.restore-test.json`, 'utf8'));
    expect(record.passed).toBe(false);

    const list = await backupActions(targetsWith().postgres).find((action) => action.name === 'postgres.backups')!.run({ target: 'small-db', verify: true }, contextFor());
    const line = (list.message as Report).sections[0]!.lines.find((candidate) => candidate.label === path.basename(dump))!;
    expect(line.status).toBe('crit');
    expect(line.value).toMatch(/checksum mismatch, restore test FAILED/);
  });

  it('an older dump with only its .sha256 is verified by its sha256: a good one passes, a damaged one fails on it', async () => {
    const good = await freshBackup('small-db');
    await rm(`${good}.xxh64`);
    const passed = await restoreTest(targetsWith(), path.basename(good));
    expect(passed.status).toBe('ok');
    expect(passed.sections[0]!.lines.find((line) => line.label === 'checksum')).toMatchObject({ value: 'verified', note: expect.stringMatching(/^sha256 of the whole file/) });

    await rm(`${good}.restore-test.json`);
    const size = (await stat(good)).size;
    const handle = await open(good, 'r+');
    const byte = Buffer.alloc(1);
    await handle.read(byte, 0, 1, Math.floor(size / 3));
    await handle.write(Buffer.from([byte[0]! ^ 0x01]), 0, 1, Math.floor(size / 3));
    await handle.close();
    const failed = await restoreTest(targetsWith(), path.basename(good));
    expect(failed.status).toBe('crit');
    expect(failed.summary).toMatch(/checksum mismatch: the dump's sha256 is [0-9a-f]{12}…, but [0-9a-f]{12}… was recorded when it was written/);
    expect(await scratchDatabases()).toEqual([]);
  });

  it('fails when pg_restore cannot read the data (a dump cut short, checksum rewritten), and drops the scratch database', async () => {
    const dump = await freshBackup('small-db');
    await truncate(dump, Math.floor((await stat(dump)).size * 0.6));
    await writeDigests(dump, { sha256: await fileDigest(dump, 'sha256'), xxh64: await fileDigest(dump, 'xxh64') });

    const card = await restoreTest(targetsWith(), path.basename(dump));
    expect(card.status).toBe('crit');
    expect(card.summary).toMatch(/pg_restore failed: .*(could not read|unexpected end|end of file)/i);
    const scratchLine = card.sections[0]!.lines.find((line) => line.label === 'scratch database')!;
    expect(scratchLine.value).toMatch(new RegExp(`^${prefix}\\d{14}_[0-9a-f]{6} dropped$`));
    expect(await scratchDatabases()).toEqual([]);
  });

  it('fails on a custom check that returns false or no boolean, naming it', async () => {
    await freshBackup('small-db');
    const card = await restoreTest(
      targetsWith([
        { name: 'hotels not empty', sql: 'SELECT count(*) > 0 FROM hotels' },
        { name: 'no long stays', sql: 'SELECT max(nights) < 10 FROM bookings' },
        { name: 'a count', sql: 'SELECT count(*) FROM hotels' },
      ]),
    );
    expect(card.status).toBe('crit');
    const checks = card.sections.find((section) => section.title === 'checks')!.lines;
    expect(checks.map((line) => [line.label, line.value, line.note])).toEqual([
      ['hotels not empty', 'passed', undefined],
      ['no long stays', 'failed', 'returned false'],
      ['a count', 'failed', 'returned a string value; a check must return one boolean'],
    ]);
    expect(card.summary).toContain('2 of 3 checks failed: no long stays returned false');
    expect(await scratchDatabases()).toEqual([]);
  });

  it('a bot killed while pg_restore runs leaves a scratch database that the next start sweeps away', async () => {
    await freshBackup('large-db');
    const script = path.join(dir, 'restore-child.mts');
    const source = (file: string) => JSON.stringify(pathToFileURL(path.join(root, file)).href);
    await writeFile(
      script,
      `import { backupActions } from ${source('src/systems/postgres/backup/actions.ts')};
import { configSchema } from ${source('src/config/schema.ts')};
const targets = configSchema.parse(JSON.parse(process.env.TARGETS)).targets;
const action = backupActions(targets.postgres).find((candidate) => candidate.name === 'postgres.restore-test');
const invocation = { id: 'child', platform: 'console', actor: { id: 'bot', name: 'bot', roles: [] }, channel: { id: 'C' }, text: '', origin: 'typed', receivedAt: new Date() };
await action.run({ target: 'large-db' }, { invocation, logger: console, signal: new AbortController().signal, progress: async (text) => console.log(text) });
console.log('finished');
`,
    );
    const child = spawn('npx', ['tsx', script], {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TARGETS: JSON.stringify({ targets: { postgres: [{ name: 'large-db', url: `${server}/${large}`, backup: { dir, restore_test: { scratch_prefix: prefix, jobs: 1 } } }] } }) },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await eventually('the child to reach pg_restore', () => pgRestoreRunning(output), 40_000).catch((error: Error) => {
        throw new Error(`${error.message}; its output: ${output}`);
      });
      process.kill(-child.pid!, 'SIGKILL');
      await exited;
    } finally {
      if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
    expect(output).not.toContain('finished');
    const orphans = await scratchDatabases();
    expect(orphans).toHaveLength(1);

    expect(await sweepScratchDatabases(targetsWith([], '6h').postgres, logger)).toEqual([]);
    expect(await scratchDatabases()).toEqual(orphans);
    const nextStart = await buildApp(configSchema.parse({ targets: targetsWith([], '0s') }), logger, { store: new MemoryStore(), audit: noAudit });
    await nextStart.startupTasks;
    await nextStart.close();
    expect(await scratchDatabases()).toEqual([]);
    const sources = await admin.query('SELECT datname FROM pg_database WHERE datname IN ($1, $2)', [small, large]);
    expect(sources.rowCount).toBe(2);
  }, 60_000);
});
