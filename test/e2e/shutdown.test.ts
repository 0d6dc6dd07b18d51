import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/run-bot.js';
import { eventually, startOwnRedis } from '../support/services.js';
import { useTempDir, writeText } from '../support/temp.js';

const tempDir = useTempDir();
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** An HTTP endpoint that accepts connections and never answers, like a hung service. */
async function hangingEndpoint(): Promise<{ port: number; connected: Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let connected!: () => void;
  const firstConnection = new Promise<void>((resolve) => (connected = resolve));
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.resume();
    connected();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return { port: (server.address() as net.AddressInfo).port, connected: firstConnection };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}

describe('SIGTERM of a running bot', () => {
  it('exits 0 while a long step runs, interrupting it rather than waiting, says so in chat, and the audit records the run as interrupted', async () => {
    const dir = await tempDir();
    const stuck = await hangingEndpoint();
    const auditFile = join(dir, 'audit.jsonl');
    const configPath = await writeText(
      dir,
      'bot.yaml',
      [
        'log: { level: debug, format: json }',
        'chat: { console: { enabled: "on" } }',
        'observability: { enabled: "on", host: 127.0.0.1, port: 0 }',
        `audit: { file: ${JSON.stringify(auditFile)} }`,
        'health: { timeout_ms: 60000 }',
        'targets:',
        '  http:',
        `    - { name: stuck-api, url: "http://127.0.0.1:${stuck.port}/health" }`,
      ].join('\n'),
    );
    const bot = startBotProcess(configPath);
    const port = Number((await bot.started).observabilityPort);
    bot.process.stdin.write('/maint health\n');
    await within(stuck.connected, 30_000, 'the health probe did not reach the hung endpoint');

    bot.process.kill('SIGTERM');
    const ready = await eventually('/readyz to answer 503', async () => {
      const response = await fetch(`http://127.0.0.1:${port}/readyz`);
      const body: unknown = await response.json();
      return response.status === 503 && body;
    });
    expect(ready).toMatchObject({ status: 'unready', down: [{ component: 'maintbot', reason: 'shutting down' }] });

    const code = await within(bot.exited, 40_000, 'the bot did not exit');
    expect(code, bot.stderr()).toBe(0);
    expect(bot.stderr()).toContain('steps still running at shutdown; interrupting them');
    expect(bot.stdout()).toContain('health was interrupted at step 1 of 1');

    const events = (await readFile(auditFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; outcome: string; runbook?: string; step?: string; detail?: string });
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'step', step: 'report', runbook: 'health', outcome: 'interrupted' }),
        expect.objectContaining({ kind: 'command', runbook: 'health', outcome: 'failed', detail: 'interrupted at step 1 by a shutdown' }),
      ]),
    );
  }, 90_000);

  it('leaves no scratch database, no held lock, an interrupted audit record and history entry, and the earlier pass as the last result when SIGTERM arrives during a restore test', async () => {
    const suffix = randomBytes(4).toString('hex');
    const database = `maintbot_sigterm_${suffix}`;
    const prefix = `maintbot_rt_sig_${suffix}_`;
    const keyPrefix = `maintbot-test-sigterm-${suffix}:`;
    const slowRole = `maintbot_slow_${suffix}`;
    const admin = new pg.Client('postgres://postgres@127.0.0.1:5432/postgres');
    await admin.connect();
    const ownRedis = await startOwnRedis();
    const redis = new Redis(ownRedis.url);
    cleanups.push(async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await admin.query(`DROP ROLE IF EXISTS ${slowRole}`);
      const leftovers = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${prefix}%`]);
      for (const row of leftovers.rows) await admin.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
      await admin.end();
      redis.disconnect();
      await ownRedis.stop();
    });
    await admin.query(`CREATE DATABASE ${database}`);
    const source = new pg.Client(`postgres://postgres@127.0.0.1:5432/${database}`);
    await source.connect();
    await source.query('CREATE TABLE hotels (id int primary key, name text); INSERT INTO hotels SELECT g, md5(g::text) FROM generate_series(1, 2000) g');
    await source.end();

    const dir = await tempDir();
    const auditFile = join(dir, 'audit.jsonl');
    const configPath = await writeText(
      dir,
      'bot.yaml',
      [
        'log: { level: debug, format: json }',
        'chat: { console: { enabled: "on" } }',
        'observability: { enabled: "on", host: 127.0.0.1, port: 0 }',
        `audit: { file: ${JSON.stringify(auditFile)} }`,
        `store: { redis_url: "${ownRedis.url}", key_prefix: "${keyPrefix}" }`,
        'schedules: []',
        'targets:',
        '  postgres:',
        `    - name: shop`,
        `      url: postgres://postgres@127.0.0.1:5432/${database}`,
        '      backup:',
        `        dir: ${JSON.stringify(join(dir, 'backups'))}`,
        '        restore_test:',
        `          scratch_prefix: ${prefix}`,
        '          checks:',
        `            - { name: slow check, sql: "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${slowRole}') THEN pg_sleep(600) IS NOT NULL ELSE true END" }`,
      ].join('\n'),
    );
    const bot = startBotProcess(configPath);
    await bot.started;
    bot.process.stdin.write('/maint backup\n/maint restore-test\n');
    const backups = join(dir, 'backups');
    const dump = await eventually('the first restore test to pass', async () => {
      const name = (await readdir(backups).catch(() => [] as string[])).find((file) => file.endsWith('.dump'));
      if (!name) return undefined;
      const last = await readFile(join(backups, `${name}.restore-test.json`), 'utf8').catch(() => undefined);
      return last && JSON.parse(last).passed === true ? join(backups, name) : undefined;
    }, 45_000);
    await admin.query(`CREATE ROLE ${slowRole}`);
    bot.process.stdin.write('/maint restore-test\n');
    await eventually('the restore test to reach its slow check', async () => {
      const scratch = await admin.query("SELECT 1 FROM pg_stat_activity WHERE datname LIKE $1 AND query LIKE '%pg_sleep(600)%'", [`${prefix}%`]);
      return Boolean(scratch.rowCount);
    }, 45_000).catch((error: Error) => {
      throw new Error(`${error.message}\nstdout:\n${bot.stdout()}\nstderr:\n${bot.stderr().slice(-3000)}`);
    });

    bot.process.kill('SIGTERM');
    const code = await within(bot.exited, 40_000, 'the bot did not exit');
    expect(code, bot.stderr().slice(-3000)).toBe(0);

    const scratch = await admin.query('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${prefix}%`]);
    expect(scratch.rows).toEqual([]);
    expect(await redis.keys(`${keyPrefix}lock:*`)).toEqual([]);
    const events = (await readFile(auditFile, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { kind: string; outcome: string; runbook?: string; detail?: string });
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'step', runbook: 'restore-test', outcome: 'interrupted' }),
        expect.objectContaining({ kind: 'command', runbook: 'restore-test', outcome: 'failed', detail: 'interrupted at step 1 by a shutdown' }),
      ]),
    );

    const history = (await readFile(`${dump}.restore-tests.jsonl`, 'utf8'))
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { outcome: string; by?: string });
    expect(history.map((entry) => entry.outcome)).toEqual(['passed', 'interrupted']);
    expect(JSON.parse(await readFile(`${dump}.restore-test.json`, 'utf8'))).toMatchObject({ passed: true });
  }, 120_000);
});

/**
 * Starts `node --import tsx src/main.ts --config PATH` (one process, like `node dist/main.js` in the image, so
 * signals reach the bot itself) and resolves `started` with its "maintbot started" log record.
 */
function startBotProcess(configPath: string) {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', configPath], {
    cwd: repoRoot,
    env: { ...process.env, NO_COLOR: '1', SLACK_BOT_TOKEN: '', DISCORD_TOKEN: '', REDIS_URL: '', DATABASE_URL: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const started = within(
    new Promise<Record<string, unknown>>((resolve) => {
      const look = (): void => {
        const line = stderr.split('\n').find((candidate) => candidate.includes('"maintbot started"'));
        if (line) resolve(JSON.parse(line) as Record<string, unknown>);
      };
      child.stderr.on('data', look);
      look();
    }),
    40_000,
    'the bot did not start',
  ).catch((error: Error) => {
    throw new Error(`${error.message}\nstderr:\n${stderr}`);
  });
  return { process: child, started, exited, stdout: () => stdout, stderr: () => stderr };
}
