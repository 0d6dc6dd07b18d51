import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { configSchema } from '../../src/config/schema.js';
import type { Report } from '../../src/core/report.js';
import { createLogger } from '../../src/logging/logger.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { dockerClient, removeTestContainers, startTestContainer } from '../support/docker.js';
import { person, TestChat } from '../support/test-chat.js';
import { MemoryAudit } from '../support/memory-audit.js';

const suffix = randomBytes(4).toString('hex');
const server = 'postgres://postgres@127.0.0.1:5432';
const database = `maintbot_restore_${suffix}`;
const containerName = `maintbot-test-restore-${suffix}`;
const logger = createLogger({ level: 'silent', pretty: false });
const alice = person('alice', ['operator']);
const bob = person('bob', ['operator']);

let admin: pg.Client;
let dir: string;
let app: App;
let chat: TestChat;

async function query<T extends pg.QueryResultRow>(sql: string): Promise<T[]> {
  const db = new pg.Client(`${server}/${database}`);
  await db.connect();
  try {
    return (await db.query<T>(sql)).rows;
  } finally {
    await db.end();
  }
}

const snapshotSql = `SELECT (SELECT count(*) FROM rooms)::int AS rooms, (SELECT count(*) FROM guests)::int AS guests,
  (SELECT md5(string_agg(id || ':' || name, ',' ORDER BY id)) FROM guests) AS guests_digest,
  (SELECT count(*) FROM pg_class WHERE relname = 'scribbles')::int AS scribbles`;

beforeAll(async () => {
  admin = new pg.Client(`${server}/postgres`);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${database}`);
  await query(`
    CREATE TABLE rooms (id int PRIMARY KEY, floor int);
    CREATE TABLE guests (id int PRIMARY KEY, room_id int REFERENCES rooms(id), name text);
    INSERT INTO rooms SELECT g, g / 100 FROM generate_series(1, 1200) g;
    INSERT INTO guests SELECT g, 1 + g % 1200, md5(g::text) FROM generate_series(1, 4000) g;
  `);
  await removeTestContainers(containerName);
  await startTestContainer({ name: containerName });
  dir = await mkdtemp(path.join(tmpdir(), 'maintbot-restore-approval-'));
  const config = configSchema.parse({
    targets: {
      postgres: [
        {
          name: 'hotel-db',
          url: `${server}/${database}`,
          backup: { dir, dependent_containers: { docker_target: 'app', containers: [containerName] } },
        },
      ],
      docker: [{ name: 'app', containers: [containerName], allow_actions: ['stop', 'start'] }],
    },
  });
  app = await buildApp(config, logger, { store: new MemoryStore(), audit: new MemoryAudit() });
  chat = new TestChat(() => app.router);
  app.outbound.connect(chat.port);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await removeTestContainers(containerName);
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.end();
  await rm(dir, { recursive: true, force: true });
});

function report(handle: { platform: string; id: string }): Report {
  const message = chat.latest(handle);
  if (message.kind !== 'report') throw new Error(`expected a report, got: ${message.text}`);
  return message;
}

async function backupNow(): Promise<string> {
  const before = new Set(await readdir(dir));
  await chat.type(alice, 'backup');
  const dumps = (await readdir(dir)).filter((name) => name.endsWith('.dump') && !before.has(name));
  if (dumps.length !== 1) throw new Error(`expected one new dump in ${dir}, found: ${dumps.join(', ') || 'none'}`);
  return dumps[0]!;
}

async function startedAt(): Promise<string> {
  return (await dockerClient().getContainer(containerName).inspect()).State.StartedAt;
}

describe('restoring a backup into an existing database, approved in chat', () => {
  it('overwrites the database only after a second person approves, and the data then equals the backup', async () => {
    const dump = await backupNow();
    const atBackup = (await query(snapshotSql))[0];

    await query(`DELETE FROM guests WHERE id > 3000; UPDATE guests SET name = 'changed' WHERE id < 10; CREATE TABLE scribbles (x int); INSERT INTO rooms VALUES (5000, 50)`);
    const changed = (await query(snapshotSql))[0];
    expect(changed).not.toEqual(atBackup);

    const { handles } = await chat.type(alice, `restore ${dump} --into ${database}`);
    const card = report(handles[0]!);
    expect(card.title).toBe('Approval needed: restore');
    const plan = JSON.stringify(card.sections);
    expect(plan).toContain(dump);
    expect(plan).toMatch(new RegExp(`overwrites ${database}: [\\d.]+ MiB, 3 tables, owner postgres`));
    expect(plan).toContain(`stops containers ${containerName}`);

    await chat.click(alice, handles[0]!, 'Approve');
    expect(chat.privateTexts(alice).at(-1)).toMatch(/four-eyes rule/);
    expect((await query(snapshotSql))[0]).toEqual(changed);

    const before = await startedAt();
    await chat.click(bob, handles[0]!, 'Approve');
    const done = report(handles[0]!);
    expect(done.status).toBe('ok');
    expect(done.title).toBe(`Restore of ${database} on hotel-db: done`);
    expect(JSON.stringify(done.sections)).toContain('4000 rows (backup had 4000)');
    expect((await query(snapshotSql))[0]).toEqual(atBackup);
    expect(await startedAt()).not.toBe(before);
    expect((await dockerClient().getContainer(containerName).inspect()).State.Running).toBe(true);
  });

  it('rejected, it changes nothing', async () => {
    const dump = await backupNow();
    await query('CREATE TABLE kept_after_reject (x int)');
    onTestFinished(() => query('DROP TABLE IF EXISTS kept_after_reject').then(() => undefined));
    const { handles } = await chat.type(alice, `restore ${dump} --into ${database}`);
    await chat.click(bob, handles[0]!, 'Reject');
    expect(report(handles[0]!).title).toBe('Rejected: restore');
    expect(await query("SELECT 1 FROM pg_class WHERE relname = 'kept_after_reject'")).toHaveLength(1);
  });
});
