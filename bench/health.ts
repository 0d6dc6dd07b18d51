import net from 'node:net';
import { pathToFileURL } from 'node:url';
import type { Report } from '../src/core/report.js';
import type { Probe } from '../src/core/probe.js';
import { createPostgresProbe, postgresTargetSchema } from '../src/systems/postgres/probe.js';
import { createRedisProbe, redisTargetSchema } from '../src/systems/redis/probe.js';
import { runHealth } from '../src/checks/runner.js';
import type { BenchResult } from './result.js';

const timeoutMs = 3000;
const parallelRuns = 3;
const postgresUrl = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** TCP listeners that accept connections and never say a word, like a hung server. */
async function startHangingListeners(count: number): Promise<{ ports: number[]; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const servers = await Promise.all(
    Array.from({ length: count }, async () => {
      const server = net.createServer((socket) => {
        sockets.add(socket);
        socket.resume();
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    }),
  );
  return {
    ports: servers.map((server) => (server.address() as net.AddressInfo).port),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    },
  };
}

function buildBenchProbes(hangingPorts: number[]): { real: Probe[]; all: Probe[] } {
  const real: Probe[] = [];
  for (let index = 0; index < 17; index += 1) {
    real.push(
      index % 2 === 0
        ? createPostgresProbe(postgresTargetSchema.parse({ name: `pg-${index}`, url: postgresUrl }))
        : createRedisProbe(redisTargetSchema.parse({ name: `redis-${index}`, url: redisUrl })),
    );
  }
  const hanging = hangingPorts.map((port, index) =>
    index % 2 === 0
      ? createPostgresProbe(postgresTargetSchema.parse({ name: `hung-pg-${index}`, url: `postgres://postgres@127.0.0.1:${port}/postgres` }))
      : createRedisProbe(redisTargetSchema.parse({ name: `hung-redis-${index}`, url: `redis://127.0.0.1:${port}` })),
  );
  return { real, all: [...real, ...hanging] };
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

function noAnswerCount(reports: Report[]): number {
  return reports
    .flatMap((report) => report.sections.flatMap((section) => section.lines))
    .filter((line) => line.value.startsWith('unreachable (no answer in')).length;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const ms = (value: number) => `${Math.round(value)} ms`;

/**
 * `/maint health` over 20 targets (9 PostgreSQL and 8 Redis on 127.0.0.1, 3 listeners that hang) run by the
 * parallel runner, against the same probes run one after another as the seeds' morning scripts do.
 */
export async function benchHealth(): Promise<BenchResult> {
  const listeners = await startHangingListeners(3);
  try {
    const { real, all } = buildBenchProbes(listeners.ports);
    const options = { timeoutMs, verbose: true, logger: { error: () => undefined } };
    await runHealth(real, options);

    const realOnly = await timed(() => runHealth(real, options));
    const parallel: { ms: number; value: Report }[] = [];
    for (let run = 0; run < parallelRuns; run += 1) parallel.push(await timed(() => runHealth(all, options)));
    const sequential = await timed(async () => {
      const reports: Report[] = [];
      for (const probe of all) reports.push(await runHealth([probe], options));
      return reports;
    });

    const parallelMedian = median(parallel.map((run) => run.ms));
    const parallelWorst = Math.max(...parallel.map((run) => run.ms));
    const limit = timeoutMs * 1.1;
    const lastParallel = parallel[parallel.length - 1]!.value;
    const answered = lastParallel.sections.filter((section) => !section.lines.some((line) => line.value.startsWith('unreachable'))).length;
    return {
      name: 'health',
      method:
        `/maint health's runner over 20 targets (9 PostgreSQL and 8 Redis on 127.0.0.1, 3 TCP listeners that accept and never answer), ` +
        `timeout ${timeoutMs} ms per probe; ${parallelRuns} parallel runs against one run of the same probes one after another.`,
      figures: [
        { label: 'parallel total (median)', value: ms(parallelMedian), target: { text: `≤ timeout + 10 % (${ms(limit)})`, met: parallelMedian <= limit } },
        { label: 'parallel total (worst)', value: ms(parallelWorst), target: { text: `≤ ${ms(limit)}`, met: parallelWorst <= limit } },
        { label: 'sequential total', value: ms(sequential.ms) },
        { label: 'sequential ÷ parallel', value: `${(sequential.ms / parallelMedian).toFixed(1)} ×` },
        { label: '17 answering targets alone, parallel', value: ms(realOnly.ms) },
      ],
      notes: [
        `last parallel run: ${answered} of ${lastParallel.sections.length} targets answered, ${noAnswerCount([lastParallel])} reported "unreachable (no answer in ${timeoutMs / 1000} s)"; overall ${lastParallel.status}`,
        `sequential run: ${noAnswerCount(sequential.value)} targets reported no answer, each costing the full timeout; the seeds' scripts (psql, redis-cli) have no such timeout and would wait longer`,
      ],
    };
  } finally {
    await listeners.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchHealth().then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
