import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHealth, type HealthCheck } from '../../src/checks/runner.js';
import { configSchema } from '../../src/config/schema.js';
import { probeSettingsOf } from '../../src/config/targets.js';
import type { Finding } from '../../src/core/finding.js';
import type { Probe } from '../../src/core/probe.js';
import { shippedSystems } from '../../src/systems/index.js';
import { SystemRegistry } from '../../src/systems/registry.js';
import { eventually, startOwnPostgres, startOwnRedis, type OwnPostgres, type OwnRedis } from '../support/services.js';
import { mostSeenWhile } from '../support/peak.js';

const targetCount = 100;
const concurrency = 8;

/** The probes of a config with these targets, as the bot builds them, and the run options it uses. */
function probesOf(targets: Record<string, unknown>, health: Record<string, unknown> = {}): { probes: Probe[]; run: () => Promise<HealthCheck> } {
  const config = configSchema.parse({ targets, health: { concurrency, timeout_ms: 30_000, ...health } });
  const probes = new SystemRegistry(shippedSystems, config.targets, {}).probes(probeSettingsOf(config.health));
  return { probes, run: () => checkHealth(probes, { timeoutMs: config.health.timeout_ms, concurrency: config.health.concurrency, verbose: false }) };
}

const reachableLines = (findings: readonly Finding[]) => findings.filter((finding) => finding.checkId === 'reachable');
const ofTarget = (findings: readonly Finding[], target: string) => findings.filter((finding) => finding.target === target);

describe('PostgreSQL targets on one cluster share one connection per run', () => {
  let postgres: OwnPostgres;
  let admin: pg.Client;
  let marks = 0;

  beforeAll(async () => {
    postgres = await startOwnPostgres({ max_connections: '150', log_connections: 'on', log_statement: 'all', log_min_duration_statement: '-1' });
    admin = new pg.Client({ connectionString: postgres.url(), application_name: 'shared-sessions-test' });
    await admin.connect();
    for (let index = 0; index < targetCount; index += 1) await admin.query(`create database db_${index}`);
    await admin.query('create role watcher login');
    await admin.query('grant pg_monitor to watcher');
  }, 240_000);

  afterAll(async () => {
    await admin?.end().catch(() => undefined);
    await postgres?.stop();
  });

  /** The server log since the last call: a marker statement sent after the work, once in the log, comes after all of the work's lines. */
  let logSeen = 0;
  async function logSinceLastCall(): Promise<string> {
    marks += 1;
    const marker = `shared-sessions-mark-${marks}`;
    await admin.query(`select '${marker}'`);
    const log = await eventually(`${marker} in the server log`, async () => {
      const text = await postgres.log();
      return text.includes(marker) && text;
    });
    const since = log.slice(logSeen);
    logSeen = log.length;
    return since;
  }

  /** Connections the bot's health checks opened, by the `log_connections` line each writes. */
  const healthConnectionsIn = (log: string): number => log.split(/connection authorized: .*application_name=maintbot-health/).length - 1;

  const countOpen = async (): Promise<number> =>
    Number((await admin.query<{ n: string }>(`select count(*) as n from pg_stat_activity where application_name = 'maintbot-health'`)).rows[0]!.n);

  it(`${targetCount} databases: one shared connection, per-database connections only while table stats are due, never more than health.concurrency (${concurrency}) at once`, async () => {
    const { run } = probesOf({ postgres: Array.from({ length: targetCount }, (_, index) => ({ name: `pg-${index}`, url: postgres.url(`db_${index}`) })) });
    await logSinceLastCall();

    const cold = await mostSeenWhile(countOpen, run());
    const coldLog = await logSinceLastCall();
    const warm = await mostSeenWhile(countOpen, run());
    const warmLog = await logSinceLastCall();

    for (const { result } of [cold, warm]) {
      expect(new Set(result.findings.filter((finding) => finding.checkId === 'postgres.server').map((finding) => finding.target)).size).toBe(targetCount);
      expect(reachableLines(result.findings)).toEqual([]);
      expect(result.findings.filter((finding) => finding.status === 'unknown')).toEqual([]);
    }
    expect(cold.samples).toBeGreaterThan(0);
    expect(cold.most).toBeLessThanOrEqual(concurrency);
    expect(healthConnectionsIn(coldLog)).toBe(targetCount);
    expect(healthConnectionsIn(warmLog)).toBe(1);
    expect(warm.most).toBeLessThanOrEqual(1);
    expect(warmLog.split('from pg_stat_user_tables').length - 1).toBe(0);
    expect(warmLog.split('pg_database_size(').length - 1).toBe(0);
    expect(warmLog.split('from pg_database d').length - 1).toBe(1);
    const deadTuples = warm.result.findings.filter((finding) => finding.checkId === 'postgres.dead_tuples');
    expect(deadTuples).toHaveLength(targetCount);
    for (const line of deadTuples) expect(line.text).toMatch(/^no table above the minimum \(read \d+(\.\d)? s ago\)$/);
    const sizes = warm.result.findings.filter((finding) => finding.checkId === 'postgres.database_size');
    expect(sizes).toHaveLength(targetCount);
    for (const line of sizes) expect(line.text).toMatch(/^\d+(\.\d+)? MiB \(read \d+(\.\d)? s ago\)$/);
    const cacheHit = warm.result.findings.filter((finding) => finding.checkId === 'postgres.cache_hit_ratio');
    expect(cacheHit.map((finding) => finding.subject).sort()).toEqual(Array.from({ length: targetCount }, (_, index) => `db_${index}`).sort());
  }, 120_000);

  it('with table_stats_every 0 every run reads the dead tuples of each database again', async () => {
    const { run } = probesOf({ postgres: Array.from({ length: 3 }, (_, index) => ({ name: `pg-${index}`, url: postgres.url(`db_${index}`) })) }, { table_stats_every: 0 });
    await run();
    await logSinceLastCall();
    const again = await run();
    expect(healthConnectionsIn(await logSinceLastCall())).toBe(3);
    expect(again.findings.filter((finding) => finding.checkId === 'postgres.dead_tuples').map((finding) => finding.text)).toEqual(Array(3).fill('no table above the minimum'));
  }, 60_000);

  it('reports a database that was dropped, closed to connections, forbidden to the user or at its connection limit, whether its target opened the shared connection or not', async () => {
    for (const name of ['gone_db', 'closed_db', 'forbidden_db', 'full_db', 'fine_db']) await admin.query(`create database ${name}`);
    await admin.query('drop database gone_db');
    await admin.query('alter database closed_db allow_connections false');
    await admin.query('revoke connect on database forbidden_db from public');
    await admin.query('alter database full_db connection limit 0');
    const asWatcher = (database: string) => postgres.url(database).replace('postgres://postgres@', 'postgres://watcher@');
    const where = (database: string) => `${postgres.server.replace('postgres://postgres@', 'postgres://watcher@')}/${database}`;
    const expected = {
      gone_db: { text: `unreachable (database "gone_db" does not exist at ${where('gone_db')})`, note: 'create the database, or fix the database name in the URL' },
      closed_db: { text: `unreachable (database "closed_db" does not allow connections (ALLOW_CONNECTIONS false) at ${where('closed_db')})`, note: expect.stringContaining('ALTER DATABASE closed_db ALLOW_CONNECTIONS true') },
      forbidden_db: { text: `unreachable (user "watcher" may not connect to database "forbidden_db" (no CONNECT privilege) at ${where('forbidden_db')})`, note: 'GRANT CONNECT ON DATABASE forbidden_db TO watcher, or use a user that has it' },
      full_db: { text: expect.stringMatching(new RegExp(`^unreachable \\(database "full_db" is at its connection limit( \\(0\\))? at ${where('full_db')}\\)$`)), note: expect.stringContaining('ALTER DATABASE full_db CONNECTION LIMIT') },
    };
    for (const [database, line] of Object.entries(expected)) {
      const refused = { name: database, url: asWatcher(database) };
      const fine = { name: 'fine', url: asWatcher('fine_db') };
      for (const order of [[refused, fine], [fine, refused]]) {
        const { findings } = await probesOf({ postgres: order }).run();
        expect(ofTarget(findings, database)).toEqual([expect.objectContaining({ checkId: 'reachable', status: 'crit', ...line })]);
        expect(reachableLines(ofTarget(findings, 'fine'))).toEqual([]);
        expect(ofTarget(findings, 'fine').filter((finding) => finding.status === 'unknown')).toEqual([]);
      }
    }
  }, 60_000);

  it('a listed database that refuses connections is reported as not checked, without a connection to it', async () => {
    const { findings } = await probesOf({ postgres: [{ name: 'fine', url: postgres.url('fine_db'), databases: ['fine_db', 'closed_db', 'gone_db'] }] }).run();
    expect(findings.filter((finding) => finding.checkId === 'postgres.dead_tuples').map(({ subject, status, text }) => ({ subject, status, text }))).toEqual([
      { subject: 'fine_db', status: 'ok', text: 'no table above the minimum' },
      { subject: 'closed_db', status: 'unknown', text: `not checked: database "closed_db" does not allow connections (ALLOW_CONNECTIONS false) at ${postgres.server}/closed_db` },
      { subject: 'gone_db', status: 'unknown', text: `not checked: database "gone_db" does not exist at ${postgres.server}/gone_db` },
    ]);
  }, 60_000);

  it('two targets with other passwords do not share a connection; with the same one they do', async () => {
    const withPassword = (password: string) => postgres.url('db_1').replace('postgres://postgres@', `postgres://postgres:${password}@`);
    await logSinceLastCall();
    await probesOf({ postgres: [{ name: 'a', url: withPassword('first') }, { name: 'b', url: withPassword('second') }] }).run();
    expect(healthConnectionsIn(await logSinceLastCall())).toBe(2);
    await probesOf({ postgres: [{ name: 'a', url: withPassword('same') }, { name: 'b', url: withPassword('same') }] }).run();
    expect(healthConnectionsIn(await logSinceLastCall())).toBe(1);
  }, 60_000);
});

describe('Redis targets on one redis-server share one connection per run', () => {
  let redis: OwnRedis;
  let watcher: Redis;

  beforeAll(async () => {
    redis = await startOwnRedis(['--databases', String(targetCount)]);
    watcher = new Redis(redis.url, { lazyConnect: true });
    await watcher.connect();
    await watcher.call('ACL', 'SETUSER', 'app', 'on', '>first', '>second', '~*', '+@all');
    await watcher.call('ACL', 'SETUSER', 'no-config', 'on', '>secret', '~*', '+@all', '-config');
  }, 60_000);

  afterAll(async () => {
    watcher?.disconnect();
    await redis?.stop();
  });

  const connectionsReceived = async (): Promise<number> => Number(/^total_connections_received:(\d+)/m.exec(await watcher.info('stats'))?.[1]);

  it(`${targetCount} logical databases: one connection, each target's database proven by SELECT, and one out of range reported`, async () => {
    const targets = Array.from({ length: targetCount }, (_, index) => ({ name: `redis-${index}`, url: `${redis.url}/${index}` }));
    const { run } = probesOf({ redis: [...targets, { name: 'redis-past-the-end', url: `${redis.url}/${targetCount}` }] });
    const own = await watcher.client('ID');
    const countOpen = async () => String(await watcher.client('LIST')).split('\n').filter((line) => line.startsWith('id=') && !line.startsWith(`id=${own} `)).length;
    const before = await connectionsReceived();

    const { most, samples, result } = await mostSeenWhile(countOpen, run());

    expect(await connectionsReceived()).toBe(before + 1);
    expect(samples).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(1);
    expect(new Set(result.findings.filter((finding) => finding.checkId === 'redis.memory').map((finding) => finding.target)).size).toBe(targetCount);
    expect(reachableLines(result.findings).filter((finding) => finding.status !== 'ok')).toEqual([
      expect.objectContaining({
        target: 'redis-past-the-end',
        status: 'crit',
        text: `unreachable (logical database ${targetCount} does not exist at 127.0.0.1:${redis.port} (out of range of its \`databases\` setting))`,
        note: expect.stringContaining('raise `databases`'),
      }),
    ]);
  }, 60_000);

  it('proves each logical database with SELECT when the user may not read CONFIG, and reports one out of range the same way', async () => {
    const as = (db: number) => `redis://no-config:secret@127.0.0.1:${redis.port}/${db}`;
    const { findings } = await probesOf({ redis: [{ name: 'in-range', url: as(7) }, { name: 'past-the-end', url: as(targetCount) }] }).run();
    expect(reachableLines(findings).filter((finding) => finding.status !== 'ok')).toEqual([
      expect.objectContaining({
        target: 'past-the-end',
        status: 'crit',
        text: `unreachable (logical database ${targetCount} does not exist at 127.0.0.1:${redis.port} (out of range of its \`databases\` setting))`,
      }),
    ]);
    expect(ofTarget(findings, 'in-range').find((finding) => finding.checkId === 'redis.memory')?.status).toBe('ok');
  }, 60_000);

  it('two targets with other passwords do not share a connection; with the same one they do', async () => {
    const as = (password: string, db: number) => `redis://app:${password}@127.0.0.1:${redis.port}/${db}`;
    let before = await connectionsReceived();
    const apart = await probesOf({ redis: [{ name: 'a', url: as('first', 1) }, { name: 'b', url: as('second', 2) }] }).run();
    expect(await connectionsReceived()).toBe(before + 2);
    before = await connectionsReceived();
    const together = await probesOf({ redis: [{ name: 'a', url: as('first', 1) }, { name: 'b', url: as('first', 2) }] }).run();
    expect(await connectionsReceived()).toBe(before + 1);
    for (const { findings } of [apart, together]) expect(reachableLines(findings).filter((finding) => finding.status !== 'ok')).toEqual([]);
  }, 60_000);
});
