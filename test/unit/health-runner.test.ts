import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CodedError, UserError } from '../../src/core/errors.js';
import type { ProbeFinding } from '../../src/core/finding.js';
import { TargetUnreachable, type Probe, type System } from '../../src/core/probe.js';
import { createPostgresProbe, postgresTargetSchema } from '../../src/systems/postgres/probe.js';
import { healthReportAction } from '../../src/checks/health-action.js';
import { checkHealth, runHealth } from '../../src/checks/runner.js';
import { actionContext } from '../support/action-context.js';

const line = (status: ProbeFinding['status'], label: string): ProbeFinding => ({ checkId: `test.${label}`, status, label, text: `${label} figure` });

function answering(target: string, lines: ProbeFinding[], system: System = 'redis'): Probe {
  return { target, system, optional: false, run: async () => lines };
}

function failing(target: string, error: unknown, optional = false): Probe {
  return {
    target,
    system: 'postgres',
    optional,
    run: async () => {
      throw error;
    },
  };
}

/** A probe that never answers and records whether the runner aborted it. */
function hanging(target: string): Probe & { aborted: () => boolean } {
  let aborted = false;
  return {
    target,
    system: 'http',
    optional: false,
    aborted: () => aborted,
    run: (signal) =>
      new Promise<ProbeFinding[]>(() => {
        signal.addEventListener('abort', () => {
          aborted = true;
        });
      }),
  };
}

const silentLogger = () => {
  const logged: unknown[] = [];
  return { logged, logger: { error: (obj: unknown) => void logged.push(obj) } as never };
};

describe('runHealth', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports a probe that never answers as unreachable once the timeout passes, with the other targets present', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const stuck = hanging('api');
    let settled = false;
    const running = runHealth([stuck, answering('cache', [line('ok', 'memory'), line('warn', 'hit ratio')])], {
      timeoutMs: 400,
      verbose: true,
    }).finally(() => {
      settled = true;
    });

    await vi.advanceTimersByTimeAsync(399);
    expect(settled).toBe(false);
    expect(stuck.aborted()).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const report = await running;

    expect(stuck.aborted()).toBe(true);
    const api = report.sections.find((section) => section.title.startsWith('api'));
    expect(api?.lines).toEqual([expect.objectContaining({ status: 'crit', value: 'unreachable (no answer in 0.4 s)' })]);
    const cache = report.sections.find((section) => section.title.startsWith('cache'));
    expect(cache?.lines.map((l) => l.label)).toEqual(['hit ratio', 'memory']);
    expect(report.status).toBe('crit');
  });

  it('reports an unreachable required target as crit with its reason', async () => {
    const report = await runHealth([failing('main-db', new TargetUnreachable('connection refused at 127.0.0.1:1'))], {
      timeoutMs: 1000,
      verbose: false,
    });
    expect(report.status).toBe('crit');
    expect(report.sections[0]?.lines[0]).toMatchObject({ status: 'crit', value: 'unreachable (connection refused at 127.0.0.1:1)' });
  });

  it('skips an unreachable optional target without making the report critical', async () => {
    const report = await runHealth(
      [failing('local-pg', new TargetUnreachable('connection refused at 127.0.0.1:5432'), true), answering('cache', [line('ok', 'memory')])],
      { timeoutMs: 1000, verbose: false },
    );
    expect(report.status).toBe('ok');
    const skipped = report.sections.find((section) => section.title.startsWith('local-pg'));
    expect(skipped?.lines).toEqual([expect.objectContaining({ status: 'skipped', value: 'skipped (connection refused at 127.0.0.1:5432)' })]);
    expect(report.summary).toBe('1 target ok, 1 optional skipped');
  });

  it('gives the overall status of the worst line', async () => {
    const warnOnly = await runHealth([answering('a', [line('ok', 'x')]), answering('b', [line('warn', 'y'), line('ok', 'z')])], {
      timeoutMs: 1000,
      verbose: false,
    });
    expect(warnOnly.status).toBe('warn');
    const withCrit = await runHealth([answering('a', [line('unknown', 'x')]), answering('b', [line('warn', 'y'), line('crit', 'z')])], {
      timeoutMs: 1000,
      verbose: false,
    });
    expect(withCrit.status).toBe('crit');
  });

  it('puts problem sections first and problem lines first within a section', async () => {
    const report = await runHealth(
      [
        answering('healthy', [line('ok', 'one')]),
        answering('warning', [line('ok', 'fine'), line('warn', 'meh')]),
        answering('broken', [line('ok', 'fine'), line('warn', 'meh'), line('crit', 'bad')]),
      ],
      { timeoutMs: 1000, verbose: true },
    );
    expect(report.sections.map((section) => section.status)).toEqual(['crit', 'warn', 'ok']);
    expect(report.sections[0]?.lines.map((l) => l.label)).toEqual(['bad', 'meh', 'fine']);
  });

  it('folds ok lines into a count unless verbose', async () => {
    const probes = [answering('db', [line('ok', 'connections'), line('warn', 'dead tuples'), line('ok', 'size')])];
    const folded = await runHealth(probes, { timeoutMs: 1000, verbose: false });
    expect(folded.sections[0]?.lines.map((l) => l.label)).toEqual(['dead tuples']);
    expect(folded.sections[0]?.foldedOk).toBe(2);

    const verbose = await runHealth(probes, { timeoutMs: 1000, verbose: true });
    expect(verbose.sections[0]?.lines.map((l) => l.label)).toEqual(['dead tuples', 'connections', 'size']);
    expect(verbose.sections[0]?.foldedOk).toBeUndefined();
  });

  it('narrows the report to the named target', async () => {
    const report = await runHealth([answering('db', [line('ok', 'a')], 'postgres'), answering('cache', [line('crit', 'b')])], {
      timeoutMs: 1000,
      verbose: true,
      target: 'db',
    });
    expect(report.sections.map((section) => section.title)).toEqual(['db (postgres)']);
    expect(report.status).toBe('ok');
  });

  it('rejects an unknown target with a user error listing the configured names', async () => {
    const probes = [answering('main-db', []), answering('cache', [])];
    const attempt = runHealth(probes, { timeoutMs: 1000, verbose: false, target: 'main-bd' });
    await expect(attempt).rejects.toBeInstanceOf(UserError);
    await expect(attempt).rejects.toThrow(/main-db, cache/);
  });

  it('reports an unexpected probe error as unknown without its message, and logs it', async () => {
    const { logged, logger } = silentLogger();
    const report = await runHealth(
      [failing('db', new Error('boom at postgres://app:hunter2@db/app')), failing('other', new CodedError('POSTGRES_MAINTENANCE_FAILED', 'bad row'))],
      { timeoutMs: 1000, verbose: false, logger },
    );
    expect(report.status).toBe('unknown');
    const values = report.sections.flatMap((section) => section.lines.map((l) => l.value));
    expect(values).toEqual([
      'could not run (internal error HEALTH_PROBE_FAILED; details in the bot log)',
      'could not run (internal error POSTGRES_MAINTENANCE_FAILED; details in the bot log)',
    ]);
    expect(JSON.stringify(report)).not.toContain('hunter2');
    expect(logged).toEqual([
      expect.objectContaining({ code: 'HEALTH_PROBE_FAILED', target: 'db' }),
      expect.objectContaining({ code: 'POSTGRES_MAINTENANCE_FAILED', target: 'other' }),
    ]);
  });

  it('hands back the findings with each probe\'s target and system, and its own finding for a target it could not reach', async () => {
    const { report, findings } = await checkHealth(
      [answering('cache', [line('warn', 'hit ratio')]), failing('main-db', new TargetUnreachable('connection refused at 127.0.0.1:1'))],
      { timeoutMs: 1000, verbose: false },
    );
    expect(findings).toEqual([
      { checkId: 'test.hit ratio', target: 'cache', system: 'redis', status: 'warn', label: 'hit ratio', text: 'hit ratio figure' },
      expect.objectContaining({ checkId: 'reachable', target: 'main-db', system: 'postgres', status: 'crit', text: 'unreachable (connection refused at 127.0.0.1:1)' }),
    ]);
    expect(report.sections.map((section) => section.title)).toEqual(['main-db (postgres)', 'cache (redis)']);
  });

  it('gives the findings to later runbook steps in the health.report step output', async () => {
    const action = healthReportAction([answering('cache', [line('ok', 'memory'), line('crit', 'evictions')])], 1000);
    const outcome = await action.run({ verbose: false }, actionContext());
    expect(outcome.output).toEqual({
      status: 'crit',
      problems: 1,
      findings: [
        expect.objectContaining({ checkId: 'test.memory', target: 'cache', system: 'redis', status: 'ok' }),
        expect.objectContaining({ checkId: 'test.evictions', target: 'cache', system: 'redis', status: 'crit' }),
      ],
    });
  });

  it('records who asked and how long the run took', async () => {
    const report = await runHealth([answering('a', [line('ok', 'x')])], { timeoutMs: 1000, verbose: false, requestedBy: 'alice' });
    expect(report.context?.requestedBy).toBe('alice');
    expect(report.context?.durationMs).toBeGreaterThanOrEqual(0);
  });
});

describe('runHealth against a TCP listener that accepts and never answers', () => {
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;

  afterEach(async () => {
    vi.useRealTimers();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  });

  it('reports the postgres target unreachable when the timeout passes, and closes its connection', async () => {
    const closed: net.Socket[] = [];
    server = net.createServer((socket) => {
      sockets.add(socket);
      socket.resume();
      socket.on('close', () => closed.push(socket));
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    const probe = createPostgresProbe(
      postgresTargetSchema.parse({ name: 'silent-db', url: `postgres://postgres:hunter2@127.0.0.1:${port}/test` }),
    );

    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const connected = new Promise((resolve) => server?.once('connection', resolve));
    const running = runHealth([probe], { timeoutMs: 500, verbose: false });
    await connected;
    await vi.advanceTimersByTimeAsync(500);
    const report = await running;
    vi.useRealTimers();

    expect(sockets.size).toBe(1);
    expect(report.status).toBe('crit');
    expect(report.sections[0]?.lines[0]).toMatchObject({ status: 'crit', value: 'unreachable (no answer in 0.5 s)' });
    await expect.poll(() => closed.length, { timeout: 10_000 }).toBe(1);
  });
});

/** Probes of one server that count how many of them run at once, each answering when released. */
function countedServer(server: string, count: number, connections?: number) {
  let running = 0;
  let most = 0;
  const waiting: Array<() => void> = [];
  const probes: Probe[] = Array.from({ length: count }, (_, index) => ({
    target: `${server}-${index}`,
    system: 'redis',
    optional: false,
    server,
    ...(connections === undefined ? {} : { connections }),
    run: () =>
      new Promise<ProbeFinding[]>((resolve) => {
        running += connections ?? 1;
        most = Math.max(most, running);
        waiting.push(() => {
          running -= connections ?? 1;
          resolve([line('ok', 'memory')]);
        });
      }),
  }));
  return { probes, most: () => most, started: () => waiting.length, releaseOne: () => waiting.shift()?.() };
}

describe('checkHealth with probes that share a server', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs at most `concurrency` probes of one server at once, and every target is reported', async () => {
    const shared = countedServer('redis 10.0.0.1:6379', 20);
    const other = countedServer('redis 10.0.0.2:6379', 3);
    let done = false;
    const running = checkHealth([...shared.probes, ...other.probes], { timeoutMs: 60_000, concurrency: 4, verbose: false }).finally(() => (done = true));
    await vi.waitFor(() => expect(other.started()).toBe(3));
    expect(shared.started()).toBe(4);
    while (!done) {
      shared.releaseOne();
      other.releaseOne();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const { findings } = await running;
    expect(shared.most()).toBe(4);
    expect(other.most()).toBe(3);
    expect(new Set(findings.map((finding) => finding.target)).size).toBe(23);
  });

  it('counts a probe that holds several connections by its connections', async () => {
    const shared = countedServer('postgres db:5432', 6, 3);
    let done = false;
    const running = checkHealth(shared.probes, { timeoutMs: 60_000, concurrency: 7, verbose: false }).finally(() => (done = true));
    await vi.waitFor(() => expect(shared.started()).toBe(2));
    while (!done) {
      shared.releaseOne();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await running;
    expect(shared.most()).toBe(6);
  });

  it('starts the timeout of a waiting probe when it starts, not while it waits its turn', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const slow: Probe = { target: 'first', system: 'redis', optional: false, server: 'redis r:6379', run: () => new Promise((resolve) => setTimeout(() => resolve([line('ok', 'memory')]), 300)) };
    const next: Probe = { ...slow, target: 'second' };
    const running = checkHealth([slow, next], { timeoutMs: 500, concurrency: 1, verbose: false });
    await vi.advanceTimersByTimeAsync(300);
    await vi.advanceTimersByTimeAsync(300);
    const { findings } = await running;
    expect(findings.map((finding) => [finding.target, finding.status])).toEqual([
      ['first', 'ok'],
      ['second', 'ok'],
    ]);
  });
});
