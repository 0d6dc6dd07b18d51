import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHealth } from '../../src/checks/runner.js';
import { configSchema } from '../../src/config/schema.js';
import type { Finding } from '../../src/core/finding.js';
import { shippedSystems } from '../../src/systems/index.js';
import { SystemRegistry } from '../../src/systems/registry.js';
import { eventually, startOwnPostgres, startOwnRedis, type OwnPostgres, type OwnRedis } from '../support/services.js';

/** One run of `/maint health` over these targets, with fresh probes as the bot builds them. */
async function healthOf(targets: Record<string, unknown>): Promise<Finding[]> {
  const config = configSchema.parse({ targets, health: { timeout_ms: 30_000 } });
  const probes = new SystemRegistry(shippedSystems, config.targets, {}).probes();
  return (await checkHealth(probes, { timeoutMs: config.health.timeout_ms, concurrency: config.health.concurrency, verbose: false })).findings;
}

/** A finding without the figures that move between two runs (uptime, counts, ages, memory): what a reader judges. */
function judged(finding: Finding): Record<string, unknown> {
  const figures = (text: string): string =>
    text
      .replace(/\d+(\.\d+)? (B|KiB|MiB|GiB)\b/g, '<size>')
      .replace(/\d+(\.\d+)? (s|min|h|d)\b( \d+ (s|min|h)\b)?/g, '<duration>').replace(/\d+(\.\d+)?/g, '#');
  return {
    target: finding.target,
    checkId: finding.checkId,
    subject: finding.subject,
    label: finding.label,
    status: finding.status,
    threshold: finding.threshold,
    note: finding.note,
    text: figures(finding.text),
    detail: finding.detail?.map(figures).sort(),
  };
}

/** How many times `fragment` was logged: each statement is logged once (log_statement=all), its text spanning lines. */
function statementsWith(log: string, fragment: string): number {
  return log.split(fragment).length - 1;
}

describe('/maint health reads a server-wide state once per server and user in one run', () => {
  let postgres: OwnPostgres;
  let redis: OwnRedis;
  let admin: pg.Client;
  let marks = 0;

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([startOwnPostgres({ log_statement: 'all', log_min_duration_statement: '-1' }), startOwnRedis(['--databases', '4'])]);
    admin = new pg.Client({ connectionString: postgres.url(), application_name: 'shared-reads-test' });
    await admin.connect();
    await admin.query('create database orders');
    await admin.query('create database billing');
    await admin.query('create role watcher login');
    await admin.query('grant pg_monitor to watcher');
  }, 120_000);

  afterAll(async () => {
    await admin?.end().catch(() => undefined);
    await Promise.all([postgres?.stop(), redis?.stop()]);
  });

  /** The server log up to now: a marker statement sent after the work, waited for in the log, comes after all of the work's statements. */
  async function logUntilNow(): Promise<string> {
    marks += 1;
    const marker = `shared-reads-mark-${marks}`;
    await admin.query(`select '${marker}'`);
    return eventually(`${marker} in the server log`, async () => {
      const log = await postgres.log();
      return log.includes(marker) && log;
    });
  }

  const twoDatabases = () => ({
    postgres: [
      { name: 'orders-db', url: postgres.url('orders') },
      { name: 'billing-db', url: postgres.url('billing') },
    ],
  });

  it('two PostgreSQL targets on one server: the server-wide queries (every database\'s row among them) run once, the dead tuples and size once per database, and each report is as when probed alone', async () => {
    const alone = [
      ...(await healthOf({ postgres: [twoDatabases().postgres[0]] })),
      ...(await healthOf({ postgres: [twoDatabases().postgres[1]] })),
    ];
    const before = await logUntilNow();

    const together = await healthOf(twoDatabases());

    const during = (await logUntilNow()).slice(before.length);
    expect(statementsWith(during, 'pg_postmaster_start_time()')).toBe(1);
    expect(statementsWith(during, 'from pg_replication_slots')).toBe(1);
    expect(statementsWith(during, "state in ('idle in transaction'")).toBe(1);
    expect(statementsWith(during, 'from pg_stat_user_tables')).toBe(2);
    expect(statementsWith(during, 'from pg_database d')).toBe(1);
    expect(statementsWith(during, 'pg_database_size(current_database())')).toBe(2);
    expect(together.map(judged)).toEqual(expect.arrayContaining(alone.map(judged)));
    expect(together.map(judged)).toHaveLength(alone.length);
    expect(together.filter((finding) => finding.status === 'unknown' || finding.label === 'reachable')).toEqual([]);
  }, 120_000);

  it('targets of two users on one server each read the server-wide state as their user', async () => {
    const before = await logUntilNow();
    const asWatcher = postgres.url('billing').replace('postgres://postgres@', 'postgres://watcher@');

    const findings = await healthOf({ postgres: [twoDatabases().postgres[0], { name: 'billing-watched', url: asWatcher }] });

    const during = (await logUntilNow()).slice(before.length);
    expect(statementsWith(during, 'pg_postmaster_start_time()')).toBe(2);
    expect(new Set(findings.filter((finding) => finding.checkId === 'postgres.server').map((finding) => finding.target))).toEqual(new Set(['orders-db', 'billing-watched']));
  }, 120_000);

  it('two Redis targets on one server: one shared read (INFO, CONFIG GET save and databases, SLOWLOG LEN; counted by its CONFIG GETs and SLOWLOG LEN) for both, each report as when probed alone', async () => {
    const targets = [
      { name: 'cache-0', url: `${redis.url}/0` },
      { name: 'cache-1', url: `${redis.url}/1` },
    ];
    const alone = [...(await healthOf({ redis: [targets[0]] })), ...(await healthOf({ redis: [targets[1]] }))];
    const watcher = new Redis(redis.url, { lazyConnect: true });
    await watcher.connect();
    try {
      const calls = async (command: string): Promise<number> => {
        const stats = await watcher.info('commandstats');
        return Number(new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(stats)?.[1] ?? 0);
      };
      const [slowlog, config] = [await calls('slowlog\\|len'), await calls('config\\|get')];

      const together = await healthOf({ redis: targets });

      expect((await calls('slowlog\\|len')) - slowlog).toBe(1);
      expect((await calls('config\\|get')) - config).toBe(2);
      expect(together.map(judged)).toEqual(expect.arrayContaining(alone.map(judged)));
      expect(together.map(judged)).toHaveLength(alone.length);
    } finally {
      watcher.disconnect();
    }
  }, 60_000);
});
