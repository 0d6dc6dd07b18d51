import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp, shippedDefinitions, type App } from '../../src/app.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import type { ActionDefinition } from '../../src/core/action.js';
import { createLogger } from '../../src/logging/logger.js';
import { startBotObservability, type BotObservability } from '../../src/observability/bot-observability.js';
import { PrometheusMetrics } from '../../src/observability/prometheus-metrics.js';
import { RedisStore } from '../../src/store/redis-store.js';
import type { Store } from '../../src/store/store.js';
import { person, TestChat } from '../support/test-chat.js';
import { useTempDir } from '../support/temp.js';
import { eventually, freePort, startOwnRedis } from '../support/services.js';

const logger = createLogger({ level: 'silent', pretty: false });
const tempDir = useTempDir();
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const alice = person('alice', ['operator']);
const bob = person('bob', ['operator']);
const victor = person('victor', ['viewer']);

const wipe: ActionDefinition<Record<string, never>> = {
  name: 'test.wipe',
  destructive: true,
  inputs: z.object({}),
  async plan() {
    return { summary: 'wipe the scratch table', detail: ['TRUNCATE scratch'], lockKey: `test:wipe:${process.pid}` };
  },
  async run() {
    return { summary: 'wiped' };
  },
};

/** Shipped commands plus `wipe`, a destructive runbook that needs an approval. */
async function definitions(): Promise<{ commands: string; runbooks: string }> {
  const root = await tempDir();
  const folders = { commands: join(root, 'commands'), runbooks: join(root, 'runbooks') };
  await mkdir(folders.commands);
  await mkdir(folders.runbooks);
  for (const name of ['help', 'health', 'approve', 'reject', 'restart']) {
    await writeFile(join(folders.commands, `${name}.yaml`), await readFile(join(shippedDefinitions.commands, `${name}.yaml`), 'utf8'));
  }
  for (const name of ['health', 'restart']) {
    await writeFile(join(folders.runbooks, `${name}.yaml`), await readFile(join(shippedDefinitions.runbooks, `${name}.yaml`), 'utf8'));
  }
  await writeFile(join(folders.commands, 'wipe.yaml'), 'name: wipe\nsummary: Wipe the scratch table\nroles: [operator]\nrunbook: wipe\n');
  await writeFile(join(folders.runbooks, 'wipe.yaml'), 'name: wipe\ndescription: test\nsteps:\n  - id: wipe\n    action: test.wipe\n');
  return folders;
}

async function startCore(options: { store?: Store; targets: unknown }): Promise<{ app: App; config: Config; metrics: PrometheusMetrics; chat: TestChat }> {
  const dir = await tempDir();
  const config = configSchema.parse({
    audit: { file: join(dir, 'audit.jsonl') },
    observability: { enabled: 'on', host: '127.0.0.1', port: 0 },
    targets: options.targets,
  });
  const metrics = new PrometheusMetrics();
  const app = await buildApp(config, logger, { metrics, store: options.store, folders: await definitions(), extraActions: [wipe] });
  cleanups.push(() => app.close());
  const chat = new TestChat(() => app.router);
  app.outbound.connect(chat.port);
  return { app, config, metrics, chat };
}

async function serve(app: App, config: Config, metrics: PrometheusMetrics, connections: Map<string, { connected(): boolean }>): Promise<BotObservability> {
  const server = await startBotObservability({ config, metrics, connections, store: app.store, logger });
  cleanups.push(() => server.close());
  return server;
}

async function get(port: number, path: string): Promise<{ status: number; type: string | null; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
}

/** The value of one sample in Prometheus text, e.g. sample(text, 'maintbot_commands_total', {command: 'help'}). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((pair) => [pair[1], pair[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

describe('/metrics', () => {
  it('counts commands by name and outcome, runbook durations, approvals, check states, acks and chat connections', async () => {
    const redis = await startOwnRedis();
    cleanups.push(() => redis.stop());
    const { app, config, metrics, chat } = await startCore({
      targets: { host: { name: 'this-host', mounts: ['/'] }, redis: [{ name: 'own-redis', url: redis.url }] },
    });
    const slack = { up: true, connected() { return this.up; } };
    const server = await serve(app, config, metrics, new Map([['slack', slack]]));

    await chat.type(alice, '/maint help');
    await chat.type(alice, 'help');
    expect((await chat.type(alice, 'health')).outcome).toBe('ok');
    expect((await chat.type(alice, 'health --no-such-flag')).outcome).toBe('invalid');
    expect((await chat.type(alice, 'frobnicate')).outcome).toBe('invalid');
    expect((await chat.type(victor, 'restart api')).outcome).toBe('denied');
    const { handles } = await chat.type(alice, 'wipe');
    await chat.click(alice, handles[0]!, 'Approve');
    await chat.click(bob, handles[0]!, 'Approve');
    slack.up = false;

    const scraped = await get(server.port, '/metrics');
    expect(scraped.status).toBe(200);
    expect(scraped.type).toContain('text/plain');
    const text = scraped.body;
    expect(sample(text, 'maintbot_commands_total', { command: 'help', outcome: 'ok' })).toBe(2);
    expect(sample(text, 'maintbot_commands_total', { command: 'health', outcome: 'ok' })).toBe(1);
    expect(sample(text, 'maintbot_commands_total', { command: 'health', outcome: 'invalid' })).toBe(1);
    expect(sample(text, 'maintbot_commands_total', { command: 'unknown', outcome: 'invalid' })).toBe(1);
    expect(sample(text, 'maintbot_commands_total', { command: 'restart', outcome: 'denied' })).toBe(1);
    expect(sample(text, 'maintbot_commands_total', { command: 'wipe', outcome: 'pending-approval' })).toBe(1);
    expect(sample(text, 'maintbot_commands_total', { command: 'approve', outcome: 'denied' })).toBe(1);
    expect(sample(text, 'maintbot_commands_total', { command: 'approve', outcome: 'ok' })).toBe(1);

    expect(sample(text, 'maintbot_runbook_duration_seconds_count', { runbook: 'health', result: 'completed' })).toBe(1);
    expect(sample(text, 'maintbot_runbook_duration_seconds_count', { runbook: 'wipe', result: 'waiting' })).toBe(1);
    expect(sample(text, 'maintbot_runbook_duration_seconds_count', { runbook: 'wipe', result: 'completed' })).toBe(1);
    expect(sample(text, 'maintbot_runbook_duration_seconds_bucket', { runbook: 'health', result: 'completed', le: '+Inf' })).toBe(1);

    expect(sample(text, 'maintbot_approvals_total', { outcome: 'requested' })).toBe(1);
    expect(sample(text, 'maintbot_approvals_total', { outcome: 'refused' })).toBe(1);
    expect(sample(text, 'maintbot_approvals_total', { outcome: 'approved' })).toBe(1);

    expect(sample(text, 'maintbot_check_state', { target: 'own-redis', check: 'reachable' })).toBe(0);
    expect(sample(text, 'maintbot_check_state', { target: 'this-host', check: 'disk /' })).toBeLessThanOrEqual(2);

    expect(sample(text, 'maintbot_ack_latency_seconds_count', { platform: 'console' })).toBe(9);
    expect(sample(text, 'maintbot_chat_connected', { platform: 'slack' })).toBe(0);
    expect(sample(text, 'process_resident_memory_bytes', {})).toBeGreaterThan(10_000_000);
    expect(sample(text, 'nodejs_eventloop_lag_seconds', {})).toBeGreaterThanOrEqual(0);
  });

  it('answers /healthz, and names the other paths on a 404', async () => {
    const { app, config, metrics } = await startCore({ targets: {} });
    const server = await serve(app, config, metrics, new Map());
    expect(await get(server.port, '/healthz')).toMatchObject({ status: 200, body: '{"status":"ok"}\n' });
    expect(await get(server.port, '/readyz')).toMatchObject({ status: 200 });
    expect(await get(server.port, '/nope')).toMatchObject({ status: 404, body: expect.stringContaining('/metrics') });
  });
});

/** A Redis of this test's own on a free port, so stopping it disturbs nobody. */
async function ownRedis(): Promise<{ port: number; start(): Promise<void>; stop(): Promise<void> }> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await eventually(`redis-server on port ${port} to accept connections`, () => canConnect(port));
  };
  const stop = async (): Promise<void> => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  cleanups.push(stop);
  return { port, start, stop };
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('/readyz', () => {
  it('turns unready while the Redis store is down and ready again when it is back', async () => {
    const redis = await ownRedis();
    const store = await RedisStore.connect(`redis://127.0.0.1:${redis.port}`, { prefix: `maintbot-test-${process.pid}:` });
    const { app, config, metrics } = await startCore({ store, targets: {} });
    const discord = { connected: () => true };
    const server = await serve(app, config, metrics, new Map([['discord', discord]]));

    expect(await get(server.port, '/readyz')).toMatchObject({ status: 200, body: '{"status":"ready"}\n' });
    expect(sample((await get(server.port, '/metrics')).body, 'maintbot_store_up', { kind: 'redis' })).toBe(1);

    await redis.stop();
    const down = await get(server.port, '/readyz');
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body)).toEqual({ status: 'unready', down: [{ component: 'store:redis', reason: expect.any(String) }] });
    expect((await get(server.port, '/healthz')).status).toBe(200);
    expect(sample((await get(server.port, '/metrics')).body, 'maintbot_store_up', { kind: 'redis' })).toBe(0);

    await redis.start();
    await eventually('/readyz to turn ready after Redis came back', async () => (await get(server.port, '/readyz')).status === 200, 20_000);
    await eventually('maintbot_store_up to read 1 again', async () => sample((await get(server.port, '/metrics')).body, 'maintbot_store_up', { kind: 'redis' }) === 1, 20_000);
  }, 30_000);
});
