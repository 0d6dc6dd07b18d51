import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/slack/index.js';
import { repoRoot } from '../support/run-bot.js';
import { eventually, startOwnRedis, type OwnRedis } from '../support/services.js';
import { APP_TOKEN, BOT_TOKEN } from './slack-harness.js';

const prefix = 'maintbot-e2e-replicas:';
const channel = 'C0REPORTS';
const schedule = 'tick-report';
/** What a replica logs once it has decided a tick: it posted (or failed to), or another replica had claimed it. */
const decisions = new Set(['tick claimed by another replica', 'scheduled job ran', 'scheduled job failed', 'scheduled tick failed']);

interface Replica {
  child: ChildProcess;
  stderr: string[];
}

let fake: FakeSlack;
let dir: string;
let ownRedis: OwnRedis;
let redis: Redis;
const replicas: Replica[] = [];

function startReplica(configPath: string): Replica {
  const env: NodeJS.ProcessEnv = { ...process.env, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: fake.apiUrl, REDIS_URL: ownRedis.url, NO_COLOR: '1' };
  for (const name of ['DATABASE_URL', 'DISCORD_TOKEN', 'MAINTBOT_CONFIG', 'SLACK_SIGNING_SECRET']) delete env[name];
  const child = spawn('npx', ['tsx', 'src/main.ts', '--config', configPath], { cwd: repoRoot, env, stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  const replica: Replica = { child, stderr: [] };
  child.stderr!.on('data', (chunk: Buffer) => replica.stderr.push(chunk.toString()));
  replicas.push(replica);
  return replica;
}

/** The JSON log records a replica has written so far. */
function records(replica: Replica): Record<string, unknown>[] {
  return replica.stderr
    .join('')
    .split('\n')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
}

/** The owner a replica claims ticks under, from its "scheduler started" record. */
function ownerOf(replica: Replica): string | undefined {
  const started = records(replica).find((record) => record.msg === 'scheduler started');
  return typeof started?.owner === 'string' ? started.owner : undefined;
}

/** The ticks every one of `among` has decided, oldest first: after them no post for those ticks can follow. */
function settledTicks(among: Replica[]): string[] {
  const decided = among.map((replica) => new Set(records(replica).filter((record) => record.schedule === schedule && decisions.has(String(record.msg))).map((record) => String(record.tick))));
  return [...(decided[0] ?? [])].filter((tick) => decided.every((ticks) => ticks.has(tick))).sort();
}

async function claimOwner(tick: string): Promise<string | undefined> {
  return (JSON.parse((await redis.get(`${prefix}schedule:${schedule}:${tick}`)) ?? '{}') as { owner?: string }).owner;
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

/** Each of the settled `ticks` was posted exactly once. */
function expectOnePostEach(ticks: string[]): void {
  const posted = postedTicks();
  expect(ticks.map((tick) => [tick, posted.filter((candidate) => candidate === tick).length])).toEqual(ticks.map((tick) => [tick, 1]));
}

beforeAll(async () => {
  fake = await startFakeSlack();
  ownRedis = await startOwnRedis();
  redis = new Redis(ownRedis.url);
  dir = await mkdtemp(join(tmpdir(), 'maintbot-replicas-'));
  const config = [
    'log: { level: debug, format: json }',
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
  await fake.waitForConnections(3, 50_000);
}, 60_000);

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
  redis?.disconnect();
  await ownRedis?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('three bot processes on one Redis', () => {
  it('post exactly one report per tick, and still one per tick after the poster is killed', async () => {
    const before = await eventually('two ticks that all three replicas decided', () => {
      const ticks = settledTicks(replicas);
      return ticks.length >= 2 && ticks;
    });
    expectOnePostEach(before);

    const lastTick = before.at(-1)!;
    const owner = await claimOwner(lastTick);
    const poster = replicas.find((replica) => ownerOf(replica) === owner);
    const pid = Number(owner?.split(':')[1]);
    expect(poster, `owner of ${lastTick}: ${owner}; stderr: ${replicas.flatMap((r) => r.stderr).join('').slice(-3000)}`).toBeDefined();
    const killedAtSeq = fake.calls().at(-1)?.seq ?? 0;
    process.kill(pid, 'SIGKILL');
    const killedAt = Date.now();

    const survivors = replicas.filter((replica) => replica !== poster);
    const claimableOnlyBySurvivors = (tick: string): boolean => Date.parse(tick) > killedAt + 1000;
    const after = await eventually('two ticks after the kill that both other replicas decided', () => {
      const ticks = settledTicks(survivors).filter(claimableOnlyBySurvivors);
      return ticks.length >= 2 && ticks;
    });
    expectOnePostEach(after);
    expectOnePostPerTick(postedTicks());
    expect(postedTicks(killedAtSeq).every((tick) => tick > lastTick)).toBe(true);
    const owners = await Promise.all(after.map(claimOwner));
    expect(owners.filter((claimer) => Number(claimer?.split(':')[1]) === pid)).toEqual([]);
  }, 90_000);
});
