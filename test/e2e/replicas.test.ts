import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/slack/index.js';
import { repoRoot } from '../support/run-bot.js';
import { APP_TOKEN, BOT_TOKEN } from './slack-harness.js';

const redisUrl = 'redis://127.0.0.1:6379';
const prefix = `maintbot-e2e-replicas-${process.pid}-${Date.now()}:`;
const channel = 'C0REPORTS';
const schedule = 'tick-report';

interface Replica {
  child: ChildProcess;
  stderr: string[];
}

let fake: FakeSlack;
let dir: string;
let redis: Redis;
const replicas: Replica[] = [];

function startReplica(configPath: string): Replica {
  const env: NodeJS.ProcessEnv = { ...process.env, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: fake.apiUrl, REDIS_URL: redisUrl, NO_COLOR: '1' };
  for (const name of ['DATABASE_URL', 'DISCORD_TOKEN', 'MAINTBOT_CONFIG', 'SLACK_SIGNING_SECRET']) delete env[name];
  const child = spawn('npx', ['tsx', 'src/main.ts', '--config', configPath], { cwd: repoRoot, env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const replica: Replica = { child, stderr: [] };
  child.stderr!.on('data', (chunk: Buffer) => replica.stderr.push(chunk.toString()));
  replicas.push(replica);
  return replica;
}

/** The scheduled reports posted so far, as their ticks (each report names its tick), in arrival order. */
function postedTicks(afterSeq = 0): string[] {
  return fake
    .calls('chat.postMessage')
    .filter((call) => call.seq > afterSeq && call.body.channel === channel)
    .map((call) => /tick-report · (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)/.exec(JSON.stringify(call.body))?.[1] ?? 'no tick in the message');
}

function expectOnePostPerTick(ticks: string[]): void {
  expect(ticks.length).toBeGreaterThanOrEqual(2);
  expect(ticks).not.toContain('no tick in the message');
  const counts = new Map<string, number>();
  for (const tick of ticks) counts.set(tick, (counts.get(tick) ?? 0) + 1);
  expect([...counts.entries()].filter(([, count]) => count !== 1)).toEqual([]);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

beforeAll(async () => {
  fake = await startFakeSlack();
  redis = new Redis(redisUrl);
  dir = await mkdtemp(join(tmpdir(), 'maintbot-replicas-'));
  const config = [
    'log: { level: warn, format: json }',
    'chat:',
    '  console: { enabled: "off" }',
    '  slack: { mode: socket }',
    'observability: { enabled: "off" }',
    `store: { key_prefix: "${prefix}" }`,
    `audit: { file: "${join(dir, 'audit.jsonl')}" }`,
    'schedules:',
    `  - name: ${schedule}`,
    '    cron: "* * * * * *"',
    '    timezone: UTC',
    '    run: { report: morning }',
    `    channels: [{ platform: slack, id: ${channel} }]`,
    '',
  ].join('\n');
  const configPath = join(dir, 'replicas.yaml');
  await writeFile(configPath, config);
  for (let i = 0; i < 3; i++) startReplica(configPath);
  await fake.waitForConnections(3, 25_000);
}, 30_000);

afterAll(async () => {
  for (const { child } of replicas) {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone with its group
      }
    }
  }
  await fake?.close();
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await rm(dir, { recursive: true, force: true });
});

describe('three bot processes on one Redis', () => {
  it('post exactly one report per tick, and still one per tick after the poster is killed', async () => {
    await sleep(3_500);
    const before = postedTicks();
    expectOnePostPerTick(before);

    const lastTick = before.at(-1)!;
    const claim = JSON.parse((await redis.get(`${prefix}schedule:${schedule}:${lastTick}`)) ?? '{}') as { owner?: string };
    const pid = Number(claim.owner?.split(':')[1]);
    expect(pid, `owner of ${lastTick}: ${JSON.stringify(claim)}; stderr: ${replicas.flatMap((r) => r.stderr).join('')}`).toBeGreaterThan(0);
    const killedAtSeq = fake.calls().at(-1)?.seq ?? 0;
    process.kill(pid, 'SIGKILL');

    await sleep(3_000);
    const after = postedTicks(killedAtSeq);
    expectOnePostPerTick(after);
    expectOnePostPerTick([...before, ...after]);
    expect(after.every((tick) => tick > lastTick)).toBe(true);
    const owners = await Promise.all(after.map(async (tick) => (JSON.parse((await redis.get(`${prefix}schedule:${schedule}:${tick}`)) ?? '{}') as { owner?: string }).owner));
    expect(owners.filter((owner) => Number(owner?.split(':')[1]) === pid)).toEqual([]);
  }, 15_000);
});
