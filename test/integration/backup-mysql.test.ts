import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { defaultProbeSettings } from '../../src/core/probe.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { configSchema } from '../../src/config/schema.js';
import type { Report } from '../../src/core/report.js';
import { createLogger } from '../../src/logging/logger.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { checkHealth } from '../../src/checks/runner.js';
import { morningReport } from '../../src/reports/morning.js';
import { shippedSystems } from '../../src/systems/index.js';
import { writeDefaultsFile } from '../../src/systems/mysql/backup/client-tools.js';
import { SystemRegistry } from '../../src/systems/registry.js';
import { mysqlSystem } from '../../src/systems/mysql/index.js';
import { MemoryAudit } from '../support/memory-audit.js';
import { createOwnMariadbDatabase, mariadbQuery, sharedMariadb, type OwnDatabase } from '../support/services.js';
import { person, TestChat } from '../support/test-chat.js';

const run = promisify(execFile);
const alice = person('alice', ['operator']);
const suffix = Math.random().toString(36).slice(2, 8);
const user = `maintbot_bk_${suffix}`;
const password = `pa"ss\\word ${suffix}`;
const scratchPrefix = `mbt_rt_${suffix}_`;
let database: OwnDatabase;
let dir: string;
let app: App;
let chat: TestChat;
let configTargets: ReturnType<typeof configSchema.parse>['targets'];

function report(handle: { id: string }): Report {
  const message = chat.latest(handle);
  if (message.kind !== 'report') throw new Error(`expected a report, got: ${message.text}`);
  return message;
}

async function scratchDatabases(): Promise<string[]> {
  return (await mariadbQuery(sharedMariadb, `SHOW DATABASES LIKE '${scratchPrefix}%'`)).split('\n').filter(Boolean);
}

async function backupNow(): Promise<string> {
  const before = new Set(await readdir(dir));
  const { outcome } = await chat.type(alice, 'backup');
  expect(outcome).toBe('ok');
  const dumps = (await readdir(dir)).filter((name) => name.endsWith('.sql') && !before.has(name));
  if (dumps.length !== 1) throw new Error(`expected one new dump in ${dir}, found: ${dumps.join(', ') || 'none'}`);
  return dumps[0]!;
}

beforeAll(async () => {
  database = await createOwnMariadbDatabase('maintbot_backup');
  await mariadbQuery(
    database.url,
    `CREATE TABLE services (id INT PRIMARY KEY, name VARCHAR(40)) ENGINE=InnoDB;
     CREATE TABLE appointments (id INT PRIMARY KEY, service_id INT, at DATETIME, FOREIGN KEY (service_id) REFERENCES services (id)) ENGINE=InnoDB;
     INSERT INTO services SELECT seq, CONCAT('service ', seq) FROM seq_1_to_20;
     INSERT INTO appointments SELECT seq, 1 + seq % 20, '2026-01-01' + INTERVAL seq HOUR FROM seq_1_to_500;
     CREATE TRIGGER appointments_guard BEFORE INSERT ON appointments FOR EACH ROW SET NEW.at = COALESCE(NEW.at, NOW());
     CREATE PROCEDURE busiest_service() SELECT service_id, COUNT(*) FROM appointments GROUP BY service_id ORDER BY 2 DESC LIMIT 1;
     CREATE USER '${user}'@'127.0.0.1' IDENTIFIED BY '${password.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}';
     GRANT SELECT, SHOW VIEW, TRIGGER, EVENT, LOCK TABLES, PROCESS, RELOAD, SET USER ON *.* TO '${user}'@'127.0.0.1';
     GRANT ALL ON \`${scratchPrefix.replace(/_/g, '\\_')}%\`.* TO '${user}'@'127.0.0.1'`,
  );
  dir = await mkdtemp(path.join(tmpdir(), 'maintbot-mysql-backup-'));
  const url = `mysql://${user}:${encodeURIComponent(password)}@127.0.0.1:3306/${database.name}`;
  const config = configSchema.parse({
    targets: {
      mysql: [
        {
          name: 'appointments-db',
          url,
          backup: { dir, restore_test: { scratch_prefix: scratchPrefix, checks: [{ name: 'every appointment has a service', sql: 'SELECT COUNT(*) = 0 FROM appointments WHERE service_id NOT IN (SELECT id FROM services)' }] } },
        },
      ],
    },
  });
  configTargets = config.targets;
  app = await buildApp(config, createLogger({ level: 'silent', pretty: false }), { store: new MemoryStore(), audit: new MemoryAudit() });
  chat = new TestChat(() => app.router);
  app.outbound.connect(chat.port);
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
  await mariadbQuery(sharedMariadb, `DROP USER IF EXISTS '${user}'@'127.0.0.1'`);
  await rm(dir, { recursive: true, force: true });
});

describe('MySQL backups and restore tests through chat', () => {
  it('dumps routines and triggers with a sha256 and per-table row counts beside the dump', async () => {
    const dump = await backupNow();
    expect(dump).toMatch(new RegExp(`^appointments-db-${database.name}-\\d{4}-\\d\\d-\\d\\dT\\d\\d-\\d\\d-\\d\\d\\.\\d{3}Z\\.sql$`));
    const { stdout } = await run('sha256sum', ['-c', `${dump}.sha256`], { cwd: dir });
    expect(stdout.trim()).toBe(`${dump}: OK`);
    const meta = JSON.parse(await readFile(path.join(dir, `${dump}.meta.json`), 'utf8'));
    expect(meta).toMatchObject({ target: 'appointments-db', database: database.name, counts_taken: 'before the dump' });
    expect(meta.tables).toEqual([
      { schema: database.name, name: 'appointments', rows: 500 },
      { schema: database.name, name: 'services', rows: 20 },
    ]);
    const sql = await readFile(path.join(dir, dump), 'utf8');
    expect(sql).toContain('CREATE DEFINER=');
    expect(sql).toMatch(/TRIGGER `?appointments_guard`?/);
    expect(sql).toMatch(/PROCEDURE `busiest_service`/);
    expect(sql).not.toContain(password);
    const card = JSON.stringify(chat.latest({ id: `m${[...chat.messages.keys()].length}` }));
    expect(card).toContain('2 tables, 520 rows');
  });

  it('restores the newest dump into a scratch database, validates it, reports the restore time and always drops it', async () => {
    await backupNow();
    const { outcome, handles } = await chat.type(alice, 'restore-test');
    const done = report(handles[0]!);
    expect(outcome, JSON.stringify(done)).toBe('ok');
    const shown = JSON.stringify(done);
    expect(shown).toMatch(/Restore test of appointments-db-.*\.sql: passed/);
    expect(shown).toMatch(/"label":"restore time \(RTO\)","value":"[\d.]+ s"/);
    expect(shown).toContain('"label":"appointments","value":"500 rows (expected 500)"');
    expect(shown).toContain('"label":"every appointment has a service","value":"passed"');
    expect(shown).toMatch(new RegExp(`${scratchPrefix}\\w+ dropped`));
    expect(await scratchDatabases()).toEqual([]);
    const histories = (await readdir(dir)).filter((name) => name.endsWith('.restore-tests.jsonl'));
    const entries = (await Promise.all(histories.map((name) => readFile(path.join(dir, name), 'utf8')))).join('').trim().split('\n').map((line) => JSON.parse(line));
    expect(entries.at(-1)).toMatchObject({ target: 'appointments-db', outcome: 'passed', tables: 2, rows: 520, by: 'alice', checks: [{ name: 'every appointment has a service', passed: true }] });
    expect(entries.at(-1).restore_ms).toEqual(expect.any(Number));
  });

  it('fails a damaged dump on its checksum and leaves nothing behind', async () => {
    const dump = await backupNow();
    const file = path.join(dir, dump);
    const bytes = await readFile(file);
    const middle = Math.floor(bytes.length / 2);
    bytes[middle] = bytes[middle]! ^ 0x20;
    await writeFile(file, bytes);
    const { outcome, handles } = await chat.type(alice, `restore-test --backup ${dump}`);
    expect(outcome).toBe('failed');
    const shown = JSON.stringify(report(handles[0]!));
    expect(shown).toContain('"label":"checksum","value":"mismatch"');
    expect(shown).toContain(`the checksum of ${dump} does not match its .sha256 (the dump is damaged); nothing was restored`);
    expect(shown).not.toContain('scratch database');
    expect(await scratchDatabases()).toEqual([]);
  });
});

describe('the morning report over a MySQL target', () => {
  it('shows its health, its newest restore test and its restore times', async () => {
    const systems = new SystemRegistry(shippedSystems, configTargets);
    const health = await checkHealth(systems.probes(), { timeoutMs: 10_000, verbose: true });
    expect(health.findings.filter((finding) => finding.target === 'appointments-db').map((finding) => finding.checkId)).toEqual(
      expect.arrayContaining(['mysql.server', 'mysql.connections', 'mysql.long_queries', 'postgres.database_size']),
    );
    const morning = JSON.stringify(await morningReport(health, new MemoryStore(), new Date(), () => systems.lastRestoreTest(), () => systems.restoreTimes()));
    expect(morning).toMatch(/appointments-db/);
    expect(morning).toMatch(/restore test/i);
    const times = await systems.restoreTimes();
    expect(times).toEqual([{ target: 'appointments-db', times: [expect.any(Number)], onProductionServer: true }]);
    expect(await systems.lastRestoreTest()).toMatchObject({ target: 'appointments-db', ok: false, reason: expect.stringContaining('checksum') });
  });
});

describe('backup freshness in the health of a MySQL target', () => {
  const probeOf = (backup: Record<string, unknown>) => mysqlSystem.probe(mysqlSystem.targetSchema.parse({ name: 'appointments-db', url: `${sharedMariadb}/${database.name}`, backup }), defaultProbeSettings);
  const line = (findings: { checkId: string }[], checkId: string) => findings.find((finding) => finding.checkId === checkId);

  it('warns while there is no backup yet, is ok for fresh ones and critical past max_age', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'maintbot-mysql-empty-'));
    try {
      const none = await probeOf({ dir: empty }).run(new AbortController().signal);
      expect(line(none, 'mysql.backup_age')).toMatchObject({ status: 'warn', text: 'none yet', note: 'take one with /maint backup' });
      expect(line(none, 'mysql.restore_test_age')).toMatchObject({ status: 'warn', text: 'none yet' });
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
    const dump = await backupNow();
    expect(report((await chat.type(alice, `restore-test --backup ${dump}`)).handles[0]!).title).toMatch(/: passed$/);
    const fresh = await probeOf({ dir }).run(new AbortController().signal);
    expect(line(fresh, 'mysql.backup_age')).toMatchObject({ status: 'ok', text: expect.stringMatching(new RegExp(`^[\\d.]+ (ms|s) old \\(${dump.replace(/\./g, '\\.')}\\)$`)), threshold: 'crit when older than 26h' });
    expect(line(fresh, 'mysql.restore_test_age')).toMatchObject({ status: 'ok' });
    const stale = await probeOf({ dir, max_age: '1ms', restore_test: { max_age: '1ms' } }).run(new AbortController().signal);
    expect(line(stale, 'mysql.backup_age')).toMatchObject({ status: 'crit' });
    expect(line(stale, 'mysql.restore_test_age')).toMatchObject({ status: 'crit' });
  });
});

describe('the defaults file that carries the password', () => {
  it('is readable by the bot user only, and the argument names the file, not the password', async () => {
    const defaults = await writeDefaultsFile(`mysql://${user}:${encodeURIComponent(password)}@127.0.0.1:3306/x`);
    try {
      const file = defaults.argument.replace('--defaults-extra-file=', '');
      expect(defaults.argument).not.toContain(suffix);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect((await stat(path.dirname(file))).mode & 0o777).toBe(0o700);
      const { stdout } = await run('mariadb', [defaults.argument, '-N', '-B', '-e', 'SELECT CURRENT_USER()']);
      expect(stdout.trim()).toBe(`${user}@127.0.0.1`);
    } finally {
      await defaults.remove();
    }
  });
});
