import net from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ProbeFinding } from '../../src/core/finding.js';
import { TargetUnreachable } from '../../src/core/probe.js';
import { createRedisProbe, redisTargetSchema } from '../../src/systems/redis/probe.js';
import { eventually, freePort, startOwnRedis, type OwnRedis } from '../support/services.js';

function probeFor(url: string, thresholds: Record<string, number> = {}) {
  return createRedisProbe(redisTargetSchema.parse({ name: 'cache', url, thresholds }));
}

function lineOf(lines: ProbeFinding[], label: string): ProbeFinding {
  const line = lines.find((candidate) => candidate.label === label);
  if (!line) throw new Error(`no "${label}" line in ${JSON.stringify(lines)}`);
  return line;
}

async function infoField(client: Redis, field: string): Promise<number> {
  const match = new RegExp(`^${field}:(\\d+)`, 'm').exec(await client.info());
  return Number(match?.[1]);
}

async function fillUntil(client: Redis, prefix: string, usedBytes: number): Promise<void> {
  const value = 'x'.repeat(8 * 1024);
  for (let index = 0; (await infoField(client, 'used_memory')) < usedBytes; index += 1) {
    await client.set(`${prefix}:${index}`, value);
  }
}

async function waitForBackgroundSave(client: Redis): Promise<void> {
  await eventually('the background save to end', async () => (await infoField(client, 'rdb_bgsave_in_progress')) === 0);
}

function run(probe: ReturnType<typeof probeFor>): Promise<ProbeFinding[]> {
  return probe.run(AbortSignal.timeout(5_000));
}

describe('redis probe against a redis-server of its own', () => {
  let server: OwnRedis;
  let url: string;
  let admin: Redis;

  beforeAll(async () => {
    server = await startOwnRedis(['--enable-protected-configs', 'local']);
    url = server.url;
    admin = new Redis(url);
  });

  afterAll(async () => {
    admin?.disconnect();
    await server?.stop();
  });

  beforeEach(async () => {
    await admin.flushall();
    await admin.config('SET', 'maxmemory', '0');
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    await admin.config('SET', 'save', '');
    await admin.config('RESETSTAT');
  });

  it('reaches it and judges every figure, reading only', async () => {
    await admin.set('kept', '1');
    const changesBefore = await infoField(admin, 'rdb_changes_since_last_save');
    const lines = await run(probeFor(url));
    const reachable = lineOf(lines, 'reachable');
    expect(reachable.status).toBe('ok');
    expect(reachable.text).toMatch(/^Redis \d+\.\d+\.\d+ \(master\), up /);
    for (const label of ['memory', 'hit ratio', 'evictions', 'connected clients', 'slow log']) {
      expect(lineOf(lines, label).threshold).toBeTruthy();
    }
    expect(lines.every((line) => line.status !== 'unknown' && line.text.length > 0)).toBe(true);
    expect(await infoField(admin, 'rdb_changes_since_last_save')).toBe(changesBefore);
    expect(await admin.keys('*')).toEqual(['kept']);
  });

  it('warns when used memory passes memory_warn_pct of maxmemory and is critical past memory_crit_pct', async () => {
    const maxmemory = 4 * 1024 * 1024;
    await admin.config('SET', 'maxmemory', String(maxmemory));
    const probe = probeFor(url);

    await fillUntil(admin, 'warn', maxmemory * 0.8);
    const warn = lineOf(await run(probe), 'memory');
    expect(warn.status).toBe('warn');
    expect(warn.threshold).toBe('warn at 75 %, crit at 90 %');
    expect(warn.text).toContain('of 4.0 MiB');
    expect(warn.note).toMatch(/OOM/);

    await fillUntil(admin, 'crit', maxmemory * 0.93);
    expect(lineOf(await run(probe), 'memory').status).toBe('crit');
  });

  it('says so when no maxmemory is set instead of inventing a limit', async () => {
    const memory = lineOf(await run(probeFor(url)), 'memory');
    expect(memory.status).toBe('ok');
    expect(memory.text).toContain('no maxmemory set');
    expect(memory.note).toContain('set maxmemory');
  });

  it('reports evictions since the last check, and since start on the first check', async () => {
    await admin.config('SET', 'maxmemory-policy', 'allkeys-random');
    const probe = probeFor(url);
    const value = 'x'.repeat(8 * 1024);
    const fillPastLimit = async (prefix: string): Promise<number> => {
      await admin.config('SET', 'maxmemory', String(2 * 1024 * 1024));
      for (let index = 0; index < 300; index += 1) await admin.set(`${prefix}:${index}`, value);
      await admin.config('SET', 'maxmemory', String(64 * 1024 * 1024));
      return infoField(admin, 'evicted_keys');
    };

    const evictedFirst = await fillPastLimit('first');
    expect(evictedFirst).toBeGreaterThan(0);
    const first = lineOf(await run(probe), 'evictions');
    expect(first.status).toBe('warn');
    expect(first.text).toBe(`${evictedFirst} since start`);
    expect(first).toMatchObject({ checkId: 'redis.evictions', measure: { value: evictedFirst, unit: 'count' } });

    const evictedSecond = await fillPastLimit('second');
    expect(evictedSecond).toBeGreaterThan(evictedFirst);
    const second = lineOf(await run(probe), 'evictions');
    expect(second.status).toBe('warn');
    expect(second.text).toMatch(new RegExp(`^${evictedSecond - evictedFirst} since the last check .* \\(${evictedSecond} since start\\)$`));

    const quiet = lineOf(await run(probe), 'evictions');
    expect(quiet.status).toBe('ok');
    expect(quiet.text).toMatch(/^0 since the last check/);
  });

  it('judges the hit ratio against the configured limits, and calls no lookups ok', async () => {
    const probe = probeFor(url, { hit_ratio_warn: 0.9, hit_ratio_crit: 0.8 });
    const idle = lineOf(await run(probe), 'hit ratio');
    expect(idle).toMatchObject({ status: 'ok', text: 'no key lookups since start' });

    await admin.set('present', '1');
    const lookups = admin.pipeline();
    for (let index = 0; index < 85; index += 1) lookups.get('present');
    for (let index = 0; index < 15; index += 1) lookups.get(`absent:${index}`);
    await lookups.exec();
    const warn = lineOf(await run(probe), 'hit ratio');
    expect(warn.status).toBe('warn');
    expect(warn.text).toBe('0.85 (85 hits, 15 misses since start)');

    const misses = admin.pipeline();
    for (let index = 0; index < 500; index += 1) misses.get(`absent:${index}`);
    await misses.exec();
    const crit = lineOf(await run(probe), 'hit ratio');
    expect(crit.status).toBe('crit');
    expect(crit.threshold).toBe('warn below 0.9, crit below 0.8');
  });

  it('reports persistence off as ok with a note, and stale unsaved changes as warn once save rules exist', async () => {
    const off = lineOf(await run(probeFor(url)), 'persistence');
    expect(off.status).toBe('ok');
    expect(off.text).toContain('persistence off');

    await admin.config('SET', 'save', '3600 1');
    await admin.set('unsaved', '1');
    const warnAfterH = 0.0001;
    await eventually('the unsaved change to pass last_save_warn_h', async () => Date.now() / 1000 - (await infoField(admin, 'rdb_last_save_time')) >= warnAfterH * 3600);
    const stale = lineOf(await run(probeFor(url, { last_save_warn_h: warnAfterH })), 'last background save');
    expect(stale.status).toBe('warn');
    expect(stale.text).toMatch(/changes since$/);
    expect(lineOf(await run(probeFor(url)), 'last background save').status).toBe('ok');
  });

  it('reports a failed background save as critical', async () => {
    const [, dir] = (await admin.config('GET', 'dir')) as string[];
    await admin.config('SET', 'save', '3600 1');
    await admin.config('SET', 'stop-writes-on-bgsave-error', 'no');
    await admin.config('SET', 'dir', '/proc');
    try {
      await admin.bgsave();
      await waitForBackgroundSave(admin);
      const failed = lineOf(await run(probeFor(url)), 'last background save');
      expect(failed.status).toBe('crit');
      expect(failed.text).toMatch(/^err, /);
    } finally {
      await admin.config('SET', 'dir', dir!);
      await admin.bgsave();
      await waitForBackgroundSave(admin);
    }
    expect(lineOf(await run(probeFor(url)), 'last background save').status).toBe('ok');
  });

  it('warns when the slow log reaches slowlog_warn entries', async () => {
    await admin.config('SET', 'slowlog-log-slower-than', '0');
    try {
      await admin.slowlog('RESET');
      for (let index = 0; index < 3; index += 1) await admin.ping();
      const slowlog = lineOf(await run(probeFor(url, { slowlog_warn: 3 })), 'slow log');
      expect(slowlog.status).toBe('warn');
      expect(slowlog.threshold).toBe('warn at 3 entries');
    } finally {
      await admin.config('SET', 'slowlog-log-slower-than', '10000');
      await admin.slowlog('RESET');
    }
  });

  it('still reports for a user that may run INFO but not CONFIG or SLOWLOG', async () => {
    await admin.call('ACL', 'SETUSER', 'monitor', 'on', '>monitor-password', '-@all', '+@connection', '+info');
    const { port } = new URL(url);
    const lines = await run(probeFor(`redis://monitor:monitor-password@127.0.0.1:${port}`));
    expect(lineOf(lines, 'reachable').status).toBe('ok');
    expect(lineOf(lines, 'slow log')).toMatchObject({ status: 'unknown', text: 'cannot read the slow log' });
    expect(lineOf(lines, 'last background save').status).toBe('ok');
  });

  it('reports a wrong password as unreachable without showing the password', async () => {
    await admin.call('ACL', 'SETUSER', 'probe', 'on', '>right-password', '~*', '+@all');
    const { port } = new URL(url);
    const failure = await run(probeFor(`redis://probe:hunter2-secret@127.0.0.1:${port}`)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TargetUnreachable);
    expect((failure as Error).message).toBe(`authentication failed at 127.0.0.1:${port} (wrong user or password)`);
    expect((failure as Error).message).not.toContain('hunter2');
  });
});

describe('redis probe without a server', () => {
  it('reports a port nobody listens on as unreachable, naming the address but not the password', async () => {
    const port = await freePort();
    const failure = await run(probeFor(`redis://:hunter2-secret@127.0.0.1:${port}`)).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TargetUnreachable);
    expect((failure as Error).message).toBe(`connection refused at 127.0.0.1:${port}`);
  });

  it('stops as soon as the signal aborts when the server never answers', async () => {
    const controller = new AbortController();
    const reason = new DOMException('health timed out', 'TimeoutError');
    const sockets = new Set<net.Socket>();
    const closed = new Set<net.Socket>();
    const silent = net.createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => closed.add(socket)).resume();
      controller.abort(reason);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const failure = await probeFor(`redis://127.0.0.1:${port}`)
        .run(controller.signal)
        .catch((error: unknown) => error);
      expect(failure).toBe(reason);
      await eventually('the probe to close its connection', () => closed.size === 1);
      expect(sockets.size).toBe(1);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
