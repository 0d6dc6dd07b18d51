import pg from 'pg';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkHealth } from '../../src/checks/runner.js';
import { configSchema } from '../../src/config/schema.js';
import type { Probe } from '../../src/core/probe.js';
import { shippedSystems } from '../../src/systems/index.js';
import { SystemRegistry } from '../../src/systems/registry.js';
import { startOwnPostgres, startOwnRedis, type OwnPostgres, type OwnRedis } from '../support/services.js';
import { mostSeenWhile } from '../support/peak.js';

const targetCount = 60;
const concurrency = 8;

/** The probes of a config with these targets and `health.concurrency: 8`, as the bot builds them. */
function probesOf(targets: Record<string, unknown>): { probes: Probe[]; timeoutMs: number; concurrency: number } {
  const config = configSchema.parse({ targets, health: { concurrency, timeout_ms: 30_000 } });
  return { probes: new SystemRegistry(shippedSystems, config.targets, {}).probes(), timeoutMs: config.health.timeout_ms, concurrency: config.health.concurrency };
}

describe('/maint health over many targets on one server', () => {
  let postgres: OwnPostgres;
  let redis: OwnRedis;

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([startOwnPostgres({ max_connections: '100' }), startOwnRedis(['--databases', String(targetCount)])]);
    const admin = new pg.Client({ connectionString: postgres.url() });
    await admin.connect();
    try {
      for (let index = 0; index < targetCount; index += 1) await admin.query(`create database db_${index}`);
    } finally {
      await admin.end();
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all([postgres?.stop(), redis?.stop()]);
  });

  it(`opens at most health.concurrency (${concurrency}) PostgreSQL connections at once, and reports all ${targetCount} databases`, async () => {
    const { probes, ...options } = probesOf({ postgres: Array.from({ length: targetCount }, (_, index) => ({ name: `pg-${index}`, url: postgres.url(`db_${index}`) })) });
    const watcher = new pg.Client({ connectionString: postgres.url(), application_name: 'health-concurrency-test' });
    await watcher.connect();
    try {
      const count = async () => Number((await watcher.query<{ n: string }>(`select count(*) as n from pg_stat_activity where application_name = 'maintbot-health'`)).rows[0]!.n);
      const { most, samples, result } = await mostSeenWhile(count, checkHealth(probes, { ...options, verbose: false }));
      const reached = new Set(result.findings.filter((finding) => finding.checkId === 'postgres.server').map((finding) => finding.target));
      expect(reached.size).toBe(targetCount);
      expect(result.findings.filter((finding) => finding.label === 'reachable')).toEqual([]);
      expect(samples).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(concurrency);
    } finally {
      await watcher.end();
    }
  }, 120_000);

  it(`opens at most health.concurrency (${concurrency}) Redis connections at once, and reports all ${targetCount} logical databases`, async () => {
    const { probes, ...options } = probesOf({ redis: Array.from({ length: targetCount }, (_, index) => ({ name: `redis-${index}`, url: `${redis.url}/${index}` })) });
    const watcher = new Redis(redis.url, { lazyConnect: true });
    await watcher.connect();
    try {
      const own = await watcher.client('ID');
      const count = async () => String(await watcher.client('LIST')).split('\n').filter((line) => line.startsWith('id=') && !line.startsWith(`id=${own} `)).length;
      const { most, samples, result } = await mostSeenWhile(count, checkHealth(probes, { ...options, verbose: false }));
      expect(new Set(result.findings.map((finding) => finding.target)).size).toBe(targetCount);
      expect(result.findings.filter((finding) => finding.label === 'reachable' && finding.status !== 'ok')).toEqual([]);
      expect(samples).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(concurrency);
    } finally {
      watcher.disconnect();
    }
  }, 120_000);
});
