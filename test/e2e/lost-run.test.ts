import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeSlack, type FakeSlack } from '../fakes/slack/index.js';
import { startHoldingProxy, type HoldingProxy } from '../support/holding-proxy.js';
import { repoRoot } from '../support/run-bot.js';
import { createOwnDatabase, eventually, freePort, startOwnRedis, type OwnDatabase, type OwnRedis } from '../support/services.js';
import { APP_TOKEN, BOT_TOKEN, blockTexts, buttonValue } from './slack-harness.js';

const prefix = 'maintbot-e2e-lost:';
const channel = 'C0OPS';
const anna = { user_id: 'U0ANNA', user_name: 'anna' };
const bob = { user_id: 'U0BOB', user_name: 'bob' };
const lockKey = `${prefix}lock:postgres:shop`;

interface Replica {
  child: ChildProcess;
  metricsPort: number;
  auditFile: string;
  stderr: string[];
}

let fake: FakeSlack;
let ownRedis: OwnRedis;
let redis: Redis;
let db: OwnDatabase;
let proxy: HoldingProxy;
let dir: string;
const replicas: Replica[] = [];

async function startReplica(index: number): Promise<Replica> {
  const metricsPort = await freePort();
  const auditFile = join(dir, `audit-${index}.jsonl`);
  const config = [
    'log: { level: info, format: json }',
    'chat:',
    '  console: { enabled: "off" }',
    '  slack: { mode: socket }',
    `observability: { enabled: "on", host: 127.0.0.1, port: ${metricsPort} }`,
    `store: { key_prefix: "${prefix}" }`,
    `audit: { file: "${auditFile}" }`,
    'access:',
    `  grants: [{ role: operator, slack: { users: [${anna.user_id}, ${bob.user_id}] } }]`,
    'runs: { lease: 3s, lost_check_every: 200ms }',
    'schedules: []',
    'targets:',
    `  postgres: [{ name: shop, url: "postgres://postgres@127.0.0.1:${proxy.port}/${db.name}" }]`,
    '',
  ].join('\n');
  const configPath = join(dir, `replica-${index}.yaml`);
  await writeFile(configPath, config);
  const env: NodeJS.ProcessEnv = { ...process.env, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: APP_TOKEN, SLACK_API_URL: fake.apiUrl, REDIS_URL: ownRedis.url, NO_COLOR: '1' };
  for (const name of ['DATABASE_URL', 'DISCORD_TOKEN', 'MAINTBOT_CONFIG', 'SLACK_SIGNING_SECRET']) delete env[name];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--config', configPath], { cwd: repoRoot, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const replica: Replica = { child, metricsPort, auditFile, stderr: [] };
  child.stderr!.on('data', (chunk: Buffer) => replica.stderr.push(chunk.toString()));
  replicas.push(replica);
  return replica;
}

async function auditRows(replica: Replica): Promise<Record<string, unknown>[]> {
  const text = await readFile(replica.auditFile, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Posts `/maint <text>` as a user and resolves with the approval card it became: its ts and request id. */
async function requestCard(text: string): Promise<{ ts: string; id: string }> {
  const before = fake.calls().at(-1)?.seq ?? 0;
  await fake.sendSlashCommand({ text, channel_id: channel, ...anna });
  const card = await fake.waitForCall('chat.update', (call) => call.seq > before && buttonValue(call.body.blocks, 'Approve') !== undefined, 30_000);
  return { ts: String(card.body.ts), id: buttonValue(card.body.blocks, 'Approve')!.split(' ')[1]! };
}

function approve(card: { ts: string; id: string }) {
  return fake.sendBlockAction({ ...bob, channel_id: channel, message_ts: card.ts, value: `approve ${card.id}`, button_text: 'Approve', action_id: 'maint-button-0' });
}

/** The latest version of a card on the fake's channel history, as text. */
function cardText(ts: string): string {
  const message = fake.messages(channel).find((candidate) => candidate.ts === ts);
  return blockTexts(message?.blocks);
}

async function approval(id: string): Promise<{ status: string; lease?: { owner: string; stepIndex: number } }> {
  return JSON.parse((await redis.get(`${prefix}approval:${id}`)) ?? '{}') as { status: string; lease?: { owner: string; stepIndex: number } };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'maintbot-lost-run-'));
  fake = await startFakeSlack({ users: { [anna.user_id]: { name: 'anna' }, [bob.user_id]: { name: 'bob' } }, ackTimeoutMs: 20_000, waitTimeoutMs: 20_000 });
  ownRedis = await startOwnRedis();
  redis = new Redis(ownRedis.url);
  db = await createOwnDatabase('lost_run');
  const setup = new pg.Client({ connectionString: db.url });
  await setup.connect();
  await setup.query('CREATE TABLE orders (id int primary key); INSERT INTO orders SELECT generate_series(1, 100)');
  await setup.end();
  proxy = await startHoldingProxy({ host: '127.0.0.1', port: 5432 });
  await Promise.all([startReplica(1), startReplica(2)]);
  await fake.waitForConnections(2, 60_000);
}, 90_000);

afterAll(async () => {
  for (const { child } of replicas) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await fake?.close();
  redis?.disconnect();
  await proxy?.close();
  await ownRedis?.stop();
  await db?.drop();
  await rm(dir, { recursive: true, force: true });
});

describe('two bot processes on one Redis, one killed in the middle of an approved step', () => {
  it('the other says on the card that the run was lost at its step, frees the target, records lost, and a new request runs', async () => {
    const held = proxy.hold('VACUUM (FULL');
    const card = await requestCard('vacuum orders --full');
    await approve(card);
    await held;

    const running = await approval(card.id);
    expect(running).toMatchObject({ status: 'approved', lease: { stepIndex: 0 } });
    expect(await redis.get(lockKey)).toContain(`approval ${card.id}`);
    const pid = Number(running.lease!.owner.split(':').at(-2));
    const doomed = replicas.find((replica) => replica.child.pid === pid);
    expect(doomed, `lease owner ${running.lease!.owner}`).toBeDefined();
    const survivor = replicas.find((replica) => replica !== doomed)!;
    expect(cardText(card.ts)).toContain('running VACUUM (FULL, ANALYZE)');
    doomed!.child.kill('SIGKILL');

    await eventually('the survivor to say on the card that the run was lost', () => /was lost at step 1 of 1 \(vacuum the table\)/.test(cardText(card.ts)), 60_000);
    const lostCard = cardText(card.ts);
    expect(lostCard).toContain('the bot process running it stopped, and its lease expired. Nothing more will run');
    expect(lostCard).not.toContain('running VACUUM');
    expect(await approval(card.id)).toMatchObject({ status: 'lost' });
    expect(await redis.exists(lockKey)).toBe(0);
    expect(await auditRows(survivor)).toContainEqual(expect.objectContaining({ kind: 'runbook', runbook: 'vacuum', outcome: 'lost', approvalId: card.id, detail: expect.stringContaining('lost at step 1') }));
    const metrics = await (await fetch(`http://127.0.0.1:${survivor.metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/maintbot_runbook_duration_seconds_count\{runbook="vacuum",result="lost"\} 1/);

    proxy.passAll();
    const again = await requestCard('vacuum orders --full');
    await approve(again);
    await eventually('the new request to run to its end on the survivor', async () => (await approval(again.id)).status === 'done', 60_000);
    expect(cardText(again.ts)).toMatch(/VACUUM FULL public\.orders in [\d.]+ m?s: /);
    await eventually('the target lock to be freed once the run has closed its approval', async () => (await redis.exists(lockKey)) === 0, 10_000);
  }, 120_000);
});
