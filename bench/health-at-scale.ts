import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';
import { checkHealth, type HealthCheck } from '../src/checks/runner.js';
import { configSchema } from '../src/config/schema.js';
import type { Probe } from '../src/core/probe.js';
import { shippedSystems } from '../src/systems/index.js';
import { SystemRegistry } from '../src/systems/registry.js';
import { postgresThresholdsSchema } from '../src/systems/postgres/probe.js';
import { databaseSizeCheck, deadTupleCheck } from '../src/systems/postgres/probes/storage.js';
import { probeSettingsOf } from '../src/config/targets.js';
import { mostSeenWhile } from '../test/support/peak.js';
import { startOwnPostgres, startOwnRedis, type OwnPostgres } from '../test/support/services.js';
import type { BenchResult } from './result.js';

const perSystem = 100;
const fullRuns = 3;
const targetRatio = 1.5;
const timeoutMs = 10_000;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const ms = (value: number): string => `${Math.round(value)} ms`;

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/** Both servers' most connections of the bot seen while `work` runs (`mostSeenWhile` on each). */
async function mostConnections<T>(counts: { postgres: () => Promise<number>; redis: () => Promise<number> }, work: Promise<T>): Promise<{ postgres: number; redis: number; value: T }> {
  const [postgres, redis] = await Promise.all([mostSeenWhile(counts.postgres, work), mostSeenWhile(counts.redis, work)]);
  return { postgres: postgres.most, redis: redis.most, value: postgres.result };
}

/** Opens a connection to each database, `limit` at once, runs `work` on it and closes it: the floor of a connection per database. */
async function connectEach(postgres: OwnPostgres, databases: readonly string[], limit: number, work: (client: pg.Client, database: string) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < databases.length) {
        const database = databases[next++]!;
        const client = new pg.Client({ connectionString: postgres.url(database), application_name: 'bench-connect' });
        await client.connect();
        await work(client, database);
        await client.end();
      }
    }),
  );
  return performance.now() - started;
}

/** The per-database reads of a PostgreSQL target (dead tuples, size), as its probe does them when its table stats are due. */
function perDatabaseReads(client: pg.Client, database: string): Promise<unknown> {
  return Promise.all([deadTupleCheck(client, database, postgresThresholdsSchema.parse({}), new Date()), databaseSizeCheck(client, database)]);
}

function unanswered(check: HealthCheck): number {
  return check.findings.filter((finding) => finding.label === 'reachable' && finding.status !== 'ok').length;
}

/**
 * `/maint health` over 200 targets: 100 databases of one PostgreSQL cluster and the 100 logical databases of
 * one redis-server, both of the bench's own on 127.0.0.1, with the default `health.concurrency` (32 per
 * server); the anchor is each target's probe alone, one after another, in the same run.
 */
export async function benchHealthAtScale(): Promise<BenchResult> {
  const loadAtStart = loadavg()[0]!;
  const [postgres, redis] = await Promise.all([startOwnPostgres({ max_connections: '300' }), startOwnRedis(['--databases', String(perSystem), '--maxclients', '1000'])]);
  const admin = new pg.Client({ connectionString: postgres.url(), application_name: 'bench-admin' });
  const watcher = new Redis(redis.url, { lazyConnect: true });
  try {
    await admin.connect();
    for (let index = 0; index < perSystem; index += 1) await admin.query(`create database bench_${index}`);
    await watcher.connect();
    const own = await watcher.client('ID');
    const counts = {
      postgres: async () => Number((await admin.query<{ n: string }>(`select count(*) as n from pg_stat_activity where application_name = 'maintbot-health'`)).rows[0]!.n),
      redis: async () => String(await watcher.client('LIST')).split('\n').filter((line) => line.startsWith('id=') && !line.startsWith(`id=${own} `)).length,
    };
    const targets = {
      postgres: Array.from({ length: perSystem }, (_, index) => ({ name: `pg-${index}`, url: postgres.url(`bench_${index}`) })),
      redis: Array.from({ length: perSystem }, (_, index) => ({ name: `redis-${index}`, url: `${redis.url}/${index}` })),
    };
    const config = configSchema.parse({ targets, health: { timeout_ms: timeoutMs } });
    const registry = new SystemRegistry(shippedSystems, config.targets, {});
    const probes: Probe[] = registry.probes(probeSettingsOf(config.health));
    const staleProbes: Probe[] = registry.probes({ tableStatsEveryMs: 0 });
    const options = { timeoutMs, concurrency: config.health.concurrency, verbose: false, logger: { error: () => undefined } };

    await checkHealth(probes, options);
    const alone: { target: string; ms: number }[] = [];
    for (const probe of probes) alone.push({ target: probe.target, ms: (await timed(() => checkHealth([probe], options))).ms });
    const slowest = alone.reduce((worst, run) => (run.ms > worst.ms ? run : worst));
    const full: { ms: number; value: HealthCheck }[] = [];
    const cpuBefore = process.cpuUsage();
    for (let run = 0; run < fullRuns; run += 1) full.push(await timed(() => checkHealth(probes, options)));
    const cpu = process.cpuUsage(cpuBefore);
    const botCpuMs = (cpu.user + cpu.system) / 1000 / fullRuns;
    await checkHealth(staleProbes, options);
    const stale: { ms: number; value: HealthCheck }[] = [];
    for (let run = 0; run < fullRuns; run += 1) stale.push(await timed(() => checkHealth(staleProbes, options)));
    const watched = await mostConnections(counts, checkHealth(probes, options));
    const watchedStale = await mostConnections(counts, checkHealth(staleProbes, options));
    const unbounded = await mostConnections(counts, timed(() => checkHealth(probes, { ...options, concurrency: 1000 })));
    const databases = Array.from({ length: perSystem }, (_, index) => `bench_${index}`);
    const connectOnly = await connectEach(postgres, databases, config.health.concurrency, async () => undefined);
    const perDatabaseOnly = await connectEach(postgres, databases, config.health.concurrency, perDatabaseReads);

    const total = median(full.map((run) => run.ms));
    const reported = new Set(full.at(-1)!.value.findings.map((finding) => finding.target)).size;
    return {
      name: 'health at scale',
      method:
        `/maint health's runner over ${2 * perSystem} targets: ${perSystem} databases of one PostgreSQL 15 cluster and the ${perSystem} logical databases of one redis-server ` +
        `(--databases ${perSystem}), both the bench's own on 127.0.0.1, health.concurrency ${config.health.concurrency} (the default) per server, timeout ${timeoutMs} ms; ` +
        `after one run to warm up, every target's probe alone through the same runner, one after another (the anchor), then ${fullRuns} runs of all ${2 * perSystem} ` +
        `(table stats read by the warm-up run, younger than health.table_stats_every ${config.health.table_stats_every}), then ${fullRuns} with table_stats_every 0 (every PostgreSQL database's dead tuples read again, on a connection to it), ` +
        `then one more of each while both servers' counts of the bot's connections are polled (pg_stat_activity for application_name maintbot-health, CLIENT LIST), ` +
        `then one without the bound, then a connection opened and closed to each PostgreSQL database, without and with the per-database reads (dead tuples, size): the floor of a connection per database, which a run with stale table stats pays.`,
      figures: [
        { label: `all ${2 * perSystem} targets (median of ${fullRuns})`, value: ms(total), target: { text: `≤ ${targetRatio} × slowest alone (${ms(slowest.ms * targetRatio)})`, met: total <= slowest.ms * targetRatio } },
        { label: 'slowest single target alone (anchor)', value: `${ms(slowest.ms)} (${slowest.target})` },
        { label: 'median single target alone', value: ms(median(alone.map((run) => run.ms))) },
        { label: 'sum of all targets alone', value: ms(alone.reduce((sum, run) => sum + run.ms, 0)) },
        { label: `each of the ${fullRuns} runs`, value: full.map((run) => ms(run.ms)).join(', ') },
        { label: `all ${2 * perSystem} with stale table stats (table_stats_every 0; median of ${fullRuns})`, value: `${ms(median(stale.map((run) => run.ms)))} (${stale.map((run) => ms(run.ms)).join(', ')})` },
        {
          label: 'most connections seen at once, PostgreSQL / Redis',
          value: `${watched.postgres} / ${watched.redis}; with stale table stats ${watchedStale.postgres} / ${watchedStale.redis}`,
          target: {
            text: `≤ ${config.health.concurrency} each`,
            met: Math.max(watched.postgres, watched.redis, watchedStale.postgres, watchedStale.redis) <= config.health.concurrency,
          },
        },
        { label: 'without the bound (concurrency 1000): total; connections seen', value: `${ms(unbounded.value.ms)}; ${unbounded.postgres} / ${unbounded.redis}` },
        {
          label: `a connection to each of the ${perSystem} PostgreSQL databases, ${config.health.concurrency} at once: opened and closed; with the per-database reads`,
          value: `${ms(connectOnly)}; ${ms(perDatabaseOnly)}`,
        },
      ],
      notes: [
        `the bot's own CPU time per run of all ${2 * perSystem}: ${ms(botCpuMs)} (process.cpuUsage); targets on one server share one connection per run, so the rest of the wall time is the servers' reads and waiting for the shared cores`,
        `${reported} of ${2 * perSystem} targets reported in the last timed run, ${unanswered(full.at(-1)!.value)} of them unreachable or without an answer`,
        `load average (1 min) ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end, on 2 cores shared with other sessions' test suites`,
      ],
    };
  } finally {
    watcher.disconnect();
    await admin.end().catch(() => undefined);
    await Promise.all([postgres.stop(), redis.stop()]);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchHealthAtScale().then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
