import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtemp, open, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { configSchema } from '../../src/config/schema.js';
import type { ActionContext } from '../../src/core/action.js';
import type { Report } from '../../src/core/report.js';
import { createLogger } from '../../src/logging/logger.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { backupActions } from '../../src/systems/postgres/backup/actions.js';
import { takeBackup } from '../../src/systems/postgres/backup/dump.js';
import { defaultPgToolLookup } from '../../src/systems/postgres/backup/pg-tools.js';
import type { BackupTarget } from '../../src/systems/postgres/backup/targets.js';
import { createPostgresProbe } from '../../src/systems/postgres/probe.js';
import { MemoryAudit } from '../support/memory-audit.js';
import { eventually, startOwnPostgres, type OwnPostgres } from '../support/services.js';
import { person, TestChat } from '../support/test-chat.js';

const run = promisify(execFile);
const logger = createLogger({ level: 'silent', pretty: false });
const alice = person('alice', ['operator']);
const prefix = 'maintbot_damaged_';
const tries = 50;

let cluster: OwnPostgres;
let admin: pg.Client;
let dir: string;
let app: App;
let chat: TestChat;
const audit = new MemoryAudit();
let config: ReturnType<typeof configSchema.parse>;
let bigDump: string;

function report(handle: { id: string }): Report {
  const message = chat.latest(handle);
  if (message.kind !== 'report') throw new Error(`expected a report, got: ${message.text}`);
  return message;
}

async function scratchDatabases(): Promise<string[]> {
  return (await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [prefix])).rows.map((row) => row.datname);
}

/** What the server logged from `mark` on: the scratch databases it was asked to create, and the restores that connected. */
async function loggedSince(mark: number): Promise<{ creates: string[]; restores: string[] }> {
  const lines = (await cluster.log()).slice(mark).split('\n');
  return {
    creates: lines.filter((line) => line.toLowerCase().includes(`create database "${prefix}`)),
    restores: lines.filter((line) => line.includes('application_name=maintbot-restore-test')),
  };
}

async function logMark(): Promise<number> {
  return (await cluster.log()).length;
}

async function createsRunning(): Promise<number> {
  return (await admin.query("SELECT 1 FROM pg_stat_activity WHERE state = 'active' AND query ILIKE 'create database%'")).rowCount ?? 0;
}

/** Flips one byte in the middle of the file and puts its modification time back, as bit rot does. */
async function flipOneByteKeepingMtime(file: string): Promise<void> {
  const before = await stat(file);
  const reference = `${dir}/mtime-reference`;
  await run('touch', ['-r', file, reference]);
  const handle = await open(file, 'r+');
  const byte = Buffer.alloc(1);
  const at = Math.floor(before.size / 2);
  await handle.read(byte, 0, 1, at);
  await handle.write(Buffer.from([byte[0]! ^ 0x01]), 0, 1, at);
  await handle.close();
  await run('touch', ['-r', reference, file]);
  expect((await stat(file)).mtimeMs).toBe(before.mtimeMs);
}

function contextFor(signal: AbortSignal): ActionContext {
  return {
    invocation: { id: 'x', platform: 'console', actor: alice, channel: { id: 'C' }, text: '', origin: 'typed', receivedAt: new Date() },
    logger,
    signal,
    progress: async () => {},
  };
}

beforeAll(async () => {
  cluster = await startOwnPostgres({ log_statement: 'ddl', log_connections: 'on' });
  admin = new pg.Client(cluster.url());
  await admin.connect();
  await admin.query('CREATE DATABASE big');
  await admin.query('CREATE DATABASE small');
  const big = new pg.Client(cluster.url('big'));
  await big.connect();
  await big.query('CREATE TABLE blobs (id int PRIMARY KEY, body bytea)');
  for (let id = 1; id <= 110; id++) await big.query('INSERT INTO blobs VALUES ($1, $2)', [id, randomBytes(1 << 20)]);
  await big.end();
  const small = new pg.Client(cluster.url('small'));
  await small.connect();
  await small.query('CREATE TABLE hotels (id int PRIMARY KEY, name text); INSERT INTO hotels SELECT g, md5(g::text) FROM generate_series(1, 500) g');
  await small.end();
  dir = await mkdtemp(path.join(tmpdir(), 'maintbot-damaged-'));
  const backup = { dir, restore_test: { scratch_prefix: prefix } };
  config = configSchema.parse({
    rate_limits: { enabled: false },
    targets: {
      postgres: [
        { name: 'big-db', url: cluster.url('big'), backup },
        { name: 'small-db', url: cluster.url('small'), backup },
      ],
    },
  });
  const bigTarget = config.targets.postgres.find((target) => target.name === 'big-db') as BackupTarget;
  bigDump = (await takeBackup({ target: bigTarget, database: 'big', lookup: defaultPgToolLookup(), signal: new AbortController().signal })).file.path;
  expect((await stat(bigDump)).size).toBeGreaterThan(100 * 1024 * 1024);
  app = await buildApp(config, logger, { store: new MemoryStore(), audit });
  await app.startupTasks;
  chat = new TestChat(() => app.router);
}, 240_000);

afterAll(async () => {
  await app?.close();
  await admin?.end();
  await cluster?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a damaged dump never leaves a database behind', () => {
  it('bit rot with the modification time kept is reported by --verify and fails the restore test on the checksum, before any restore', async () => {
    const name = path.basename(bigDump);
    const healthy = await chat.type(alice, 'backups big-db --verify');
    expect(report(healthy.handles[0]!).sections[0]!.lines.find((line) => line.label === name)!.value).toMatch(/checksum verified, /);

    await flipOneByteKeepingMtime(bigDump);

    const verified = await chat.type(alice, 'backups big-db --verify');
    const line = report(verified.handles[0]!).sections[0]!.lines.find((candidate) => candidate.label === name)!;
    expect(line.status).toBe('crit');
    expect(line.value).toMatch(/checksum mismatch, /);

    const auditedBefore = audit.events.length;
    const mark = await logMark();
    const test = await chat.type(alice, `restore-test big-db --backup ${name}`);
    const card = report(test.handles[0]!);
    expect(card.title).toBe(`Restore test of ${name}: FAILED`);
    expect(card.summary).toMatch(/checksum mismatch: the dump's xxh64 is [0-9a-f]{12}…, but [0-9a-f]{12}… was recorded/);
    expect(card.sections.flatMap((section) => section.lines.map((candidate) => candidate.label))).toEqual(['checksum', 'result']);
    expect(await scratchDatabases()).toEqual([]);
    expect(await loggedSince(mark)).toEqual({ creates: [], restores: [] });
    const ofThisTest = audit.events.slice(auditedBefore);
    expect(ofThisTest).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'step', step: 'restore-test', outcome: 'failed' }),
        expect.objectContaining({ kind: 'command', runbook: 'restore-test', outcome: 'failed' }),
      ]),
    );
    expect(ofThisTest.filter((event) => (event.kind === 'step' || event.kind === 'runbook') && event.outcome !== 'failed')).toEqual([]);

    const history = await chat.type(alice, 'restore-tests big-db');
    const shown = report(history.handles[0]!).sections[0]!.lines;
    expect(shown[0]).toMatchObject({ label: 'RTO trend', status: 'crit', value: 'no restore measured yet' });
    expect(shown[1]).toMatchObject({ status: 'crit', note: expect.stringMatching(new RegExp(`^${name}: checksum mismatch`)) });
    expect(shown[1]!.value).toMatch(/^failed · took [\d.]+ s · by alice$/);
  }, 120_000);

  it(`${tries} restore tests of a damaged 100 MiB+ dump leave no scratch database and never start a restore`, async () => {
    const name = path.basename(bigDump);
    const mark = await logMark();
    for (let attempt = 0; attempt < tries; attempt++) {
      const test = await chat.type(alice, `restore-test big-db --backup ${name}`);
      const card = report(test.handles[0]!);
      expect(card.summary, `try ${attempt + 1}`).toMatch(/checksum mismatch/);
      expect(card.sections.flatMap((section) => section.lines.map((line) => line.label)), `try ${attempt + 1}`).toEqual(['checksum', 'result']);
    }
    await eventually('no CREATE DATABASE still running', async () => (await createsRunning()) === 0);
    expect(await scratchDatabases()).toEqual([]);
    expect(await loggedSince(mark)).toEqual({ creates: [], restores: [] });

    const healthyMark = await logMark();
    await chat.type(alice, 'backup small-db');
    expect(report((await chat.type(alice, 'restore-test small-db')).handles[0]!).status).toBe('ok');
    const healthy = await loggedSince(healthyMark);
    expect(healthy.creates).toHaveLength(1);
    expect(healthy.restores.length).toBeGreaterThan(0);
  }, 600_000);

  it('a restore test past restore_test.timeout is stopped, fails, drops its scratch database and says it ran on the production server', async () => {
    const slow = configSchema.parse({
      targets: {
        postgres: [
          {
            name: 'small-db',
            url: cluster.url('small'),
            backup: { dir, restore_test: { scratch_prefix: prefix, timeout: '1s', checks: [{ name: 'slow check', sql: 'SELECT pg_sleep(600) IS NOT NULL' }] } },
          },
        ],
      },
    });
    const smallTarget = slow.targets.postgres[0] as BackupTarget;
    const dump = (await takeBackup({ target: smallTarget, database: 'small', lookup: defaultPgToolLookup(), signal: new AbortController().signal })).file.path;
    const action = backupActions(slow.targets.postgres).find((candidate) => candidate.name === 'postgres.restore-test')!;
    const outcome = await action.run({ target: 'small-db' }, contextFor(new AbortController().signal));
    expect(outcome.failure).toMatch(/did not finish within restore_test.timeout/);
    const card = outcome.message as Report;
    expect(card.summary).toBe('small-db: did not finish within restore_test.timeout (1s) and was stopped.');
    const lines = card.sections.flatMap((section) => section.lines);
    expect(lines.find((line) => line.label === 'server')).toMatchObject({ value: "the target's own (production) server", note: 'set restore_test.server_url to restore on a separate server' });
    expect(lines.find((line) => line.label === 'scratch database')!.value).toMatch(/ dropped$/);
    expect(await scratchDatabases()).toEqual([]);
    const history = (await readFile(`${dump}.restore-tests.jsonl`, 'utf8')).trim().split('\n').map((line) => JSON.parse(line));
    expect(history).toEqual([expect.objectContaining({ outcome: 'failed', on_production_server: true, reason: 'did not finish within restore_test.timeout (1s) and was stopped' })]);
  }, 120_000);

  it('the orphan sweep repeats while the bot runs: a scratch database older than orphan_max_age is dropped within one interval and the restore-test channel is told', async () => {
    const running = await buildApp(
      configSchema.parse({
        schedules: [{ name: 'weekly-restore-test', cron: '0 7 * * 5', run: { runbook: 'restore-test', params: {} }, channels: [{ platform: 'console', id: 'ops' }] }],
        targets: { postgres: [{ name: 'small-db', url: cluster.url('small'), backup: { dir, restore_test: { scratch_prefix: prefix, orphan_max_age: '1h', orphan_sweep_every: '200ms' } } }] },
      }),
      logger,
      { store: new MemoryStore(), audit: new MemoryAudit() },
    );
    const ops = new TestChat(() => running.router);
    running.outbound.connect(ops.port);
    try {
      await running.startupTasks;
      const stamp = (at: Date) => at.toISOString().replace(/[-:T]/g, '').slice(0, 14);
      const orphan = `${prefix}${stamp(new Date(Date.now() - 2 * 3_600_000))}_0aaaaa`;
      const recent = `${prefix}${stamp(new Date())}_0bbbbb`;
      await admin.query(`CREATE DATABASE ${orphan}`);
      await admin.query(`CREATE DATABASE ${recent}`);
      const told = await eventually('the ops channel to be told of the drop', () =>
        [...ops.messages.values()].map((versions) => versions.at(-1)!).find((message) => message.kind === 'notice' && message.text.includes(orphan)),
      );
      expect(told).toMatchObject({ kind: 'notice', text: `Orphan sweep (postgres): dropped scratch database ${orphan}, which a restore test left behind.` });
      expect(await scratchDatabases()).toEqual([recent]);
      await admin.query(`DROP DATABASE ${recent}`);
    } finally {
      await running.close();
    }
  }, 60_000);

  it('health reports stale backups and restore tests as crit findings the alerts judge (backup.max_age, restore_test.max_age)', async () => {
    const staleDir = await mkdtemp(path.join(tmpdir(), 'maintbot-stale-'));
    try {
      const [target] = configSchema.parse({
        targets: { postgres: [{ name: 'stale-db', url: cluster.url('small'), backup: { dir: staleDir, max_age: '26h', restore_test: { scratch_prefix: prefix, max_age: '8d' } } }] },
      }).targets.postgres;
      const probe = createPostgresProbe(target!);
      const freshness = async () =>
        (await probe.run(new AbortController().signal)).filter((finding) => finding.checkId === 'postgres.backup_age' || finding.checkId === 'postgres.restore_test_age');
      expect((await freshness()).map((finding) => [finding.checkId, finding.status, finding.text])).toEqual([
        ['postgres.backup_age', 'warn', 'none yet'],
        ['postgres.restore_test_age', 'warn', 'none yet'],
      ]);

      const dump = (await takeBackup({ target: target as BackupTarget, database: 'small', lookup: defaultPgToolLookup(), signal: new AbortController().signal })).file.path;
      const testedAt = new Date(Date.now() - 9 * 86_400_000).toISOString();
      await writeFile(`${dump}.restore-tests.jsonl`, `${JSON.stringify({ at: testedAt, target: 'stale-db', dump: path.basename(dump), outcome: 'passed', duration_ms: 1000, checks: [] })}\n`);
      expect((await freshness()).map((finding) => [finding.checkId, finding.status])).toEqual([
        ['postgres.backup_age', 'ok'],
        ['postgres.restore_test_age', 'crit'],
      ]);

      const twoDaysAgo = new Date(Date.now() - 2 * 86_400_000);
      await utimes(dump, twoDaysAgo, twoDaysAgo);
      const stale = await freshness();
      expect(stale.map((finding) => [finding.checkId, finding.status, finding.threshold])).toEqual([
        ['postgres.backup_age', 'crit', 'crit when older than 26h'],
        ['postgres.restore_test_age', 'crit', 'crit when older than 8d'],
      ]);
      expect(stale[0]!.text).toMatch(new RegExp(`old \\(${path.basename(dump).replace(/\./g, '\\.')}\\)$`));
    } finally {
      await rm(staleDir, { recursive: true, force: true });
    }
  }, 60_000);

  it('an abort while CREATE DATABASE is in flight still drops the scratch database once the create settled', async () => {
    const smallTarget = config.targets.postgres.find((target) => target.name === 'small-db') as BackupTarget;
    await takeBackup({ target: smallTarget, database: 'small', lookup: defaultPgToolLookup(), signal: new AbortController().signal });
    const action = backupActions(config.targets.postgres).find((candidate) => candidate.name === 'postgres.restore-test')!;
    for (let attempt = 0; attempt < 5; attempt++) {
      const holder = new pg.Client(cluster.url());
      await holder.connect();
      await holder.query('BEGIN');
      await holder.query('ALTER DATABASE template0 RENAME TO template0_held');
      const abort = new AbortController();
      const running = action.run({ target: 'small-db' }, contextFor(abort.signal)).then(
        () => 'finished',
        () => 'aborted',
      );
      await eventually('the scratch CREATE DATABASE to wait for its template', async () => (await createsRunning()) > 0);
      abort.abort();
      await holder.query('ROLLBACK');
      await holder.end();
      expect(await running).toBe('aborted');
      await eventually('no CREATE DATABASE still running', async () => (await createsRunning()) === 0);
      expect(await scratchDatabases(), `try ${attempt + 1}`).toEqual([]);
    }
  }, 120_000);
});
