import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dockerClient, removeTestContainers, startTestContainer } from '../support/docker.js';
import { eventually } from '../support/services.js';
import { blockTexts, buttonValue, command, startSlackHarness, type SlackHarness, expectEmptyAck } from './slack-harness.js';

const suffix = randomBytes(4).toString('hex');
const prefix = `maintbot-test-runbooks-${suffix}`;
const stopped = `${prefix}-stopped`;
const failing = `${prefix}-failing`;
const channel = 'C0OPS';
const oncall = 'C0ONCALL';
const anna = { user_id: 'U0ANNA', user_name: 'anna' };
const ben = { user_id: 'U0BEN', user_name: 'ben' };

let harness: SlackHarness;
let endpoint: Server;

beforeAll(async () => {
  await removeTestContainers(prefix);
  await startTestContainer({ name: stopped });
  await dockerClient().getContainer(stopped).stop({ t: 0 });
  await startTestContainer({ name: failing, cmd: ['sh', '-c', 'echo "ERROR cannot reach the database"; trap "exit 0" TERM; sleep 3600 & wait'], healthCmd: 'exit 1' });
  endpoint = createServer((_request, response) => response.end('{"status":"healthy"}'));
  await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/health`;
  harness = await startSlackHarness('socket', {
    targets: ({ postgres }) => ({
      postgres: [{ name: 'local-postgres', url: postgres.url(), databases: [`maint_${suffix}`] }],
      docker: [{ name: 'apps', containers: [stopped, failing], allow_actions: ['restart'] }],
      http: [{ name: 'api-health', url, body_match: 'healthy' }],
    }),
    grants: [{ role: 'operator', slack: { users: [anna.user_id, ben.user_id] } }],
    notify: { oncall: { channels: [{ platform: 'slack', id: oncall }], mention: { slack: { groups: ['S0ONCALL'] } } } },
  });
}, 60_000);

beforeEach(() => harness.reset());

afterAll(async () => {
  await harness?.close();
  endpoint?.close();
  await removeTestContainers(prefix);
});

/** Types a command as anna and waits for its approval card: the run's message updated with an Approve button. */
async function approvalCard(text: string): Promise<{ ts: string; approve: string }> {
  const since = harness.fake.calls().at(-1)?.seq ?? 0;
  const delivered = await harness.fake.sendSlashCommand({ text, channel_id: channel, ...anna });
  expectEmptyAck(delivered);
  const post = await harness.fake.waitForCall('chat.postMessage', (call) => call.seq > since && call.body.channel === channel);
  const ts = post.response.ts as string;
  const card = await harness.fake.waitForCall('chat.update', (call) => call.body.ts === ts && buttonValue(call.body.blocks, 'Approve') !== undefined, 20_000);
  return { ts, approve: buttonValue(card.body.blocks, 'Approve')! };
}

async function approveAndWaitForEnd(card: { ts: string; approve: string }, done: RegExp): Promise<string> {
  await harness.fake.sendBlockAction({ ...ben, channel_id: channel, message_ts: card.ts, value: card.approve, button_text: 'Approve', action_id: 'maint-button-0' });
  const end = await harness.fake.waitForCall('chat.update', (call) => call.body.ts === card.ts && done.test(blockTexts(call.body.blocks)), 30_000);
  await harness.commands.waitForFinished(command(card.approve, ben.user_id), 30_000);
  return blockTexts(end.body.blocks);
}

async function state(name: string): Promise<string> {
  return (await dockerClient().getContainer(name).inspect()).State.Status;
}

/** The audit rows of the steps a decision resumed (those after the approval are recorded under it). */
async function stepRows(decision: string) {
  return (await harness.app.audit.latest(500)).filter((event) => event.kind === 'step' && event.command === decision);
}

describe('shipped multi-step runbooks through the real Bolt against the fake Slack', () => {
  it('service-down on a stopped container: asks to restart, restarts after approval, waits until healthy; the escalation is skipped', async () => {
    expect(await state(stopped)).toBe('exited');
    const card = await approvalCard(`service-down ${stopped} --wait 30s --http api-health`);
    expect(blockTexts(harness.fake.messages(channel).find((message) => message.ts === card.ts)?.blocks)).toContain(`restart container ${stopped}`);
    expect(await state(stopped)).toBe('exited');

    const final = await approveAndWaitForEnd(card, /service-down: done/);
    expect(await state(stopped)).toBe('running');
    expect(final).toMatch(/wait until healthy.*healthy after \d+ attempt/);
    expect(final).toMatch(/escalate.*skipped/);
    expect(final).toMatch(/verify the HTTP endpoint.{0,40}api-health: 200 in \d+ ms/);
    expect(harness.fake.messages(oncall)).toEqual([]);

    const rows = await stepRows(card.approve);
    expect(rows.find((row) => row.step === 'restart' && row.outcome === 'ok')).toBeDefined();
    expect(rows.find((row) => row.step === 'healthy')).toMatchObject({ outcome: 'ok', action: 'wait.until' });
    expect(rows.find((row) => row.step === 'escalate')).toMatchObject({ outcome: 'skipped', detail: expect.stringContaining('is false') });
  }, 60_000);

  it('service-down on a container whose health check keeps failing: restarts after approval, gives up waiting, and escalates to on-call with the mention', async () => {
    const card = await approvalCard(`service-down ${failing} --wait 3s`);
    const final = await approveAndWaitForEnd(card, /service-down: done/);
    expect(final).toMatch(/summarise its recent logs.{0,200}: [1-9]\d* lines, [1-9]\d* errors/);
    expect(final).toMatch(/still not healthy after/);
    expect(final).toMatch(/verify the HTTP endpoint.{0,80}skipped/);
    const progress = harness.fake.calls('chat.update').filter((call) => call.body.ts === card.ts && /waiting until healthy: attempt 1/.test(blockTexts(call.body.blocks)));
    expect(progress.length).toBeGreaterThan(0);
    expect(harness.fake.calls('chat.postMessage').filter((call) => call.body.channel === channel)).toHaveLength(1);
    expect(final).toMatch(/notified oncall in slack:C0ONCALL/);

    const [escalation] = harness.fake.messages(oncall);
    expect(escalation).toBeDefined();
    expect(blockTexts(escalation!.blocks)).toContain('<!subteam^S0ONCALL>');
    expect(blockTexts(escalation!.blocks)).toContain(`container ${failing} is still failing after a restart`);
    expect((await stepRows(card.approve)).filter((row) => row.step === 'escalate')).toEqual([expect.objectContaining({ outcome: 'ok', action: 'notify' })]);
  }, 60_000);

  it('db-maintenance vacuums only the tables over the dead-tuple threshold and reindexes the bloated index after approval', async () => {
    const database = `maint_${suffix}`;
    const admin = new pg.Client({ connectionString: harness.postgres.url() });
    await admin.connect();
    await admin.query(`create database ${database}`);
    await admin.end();
    const client = new pg.Client({ connectionString: harness.postgres.url(database) });
    await client.connect();
    for (const table of ['churned', 'quiet']) {
      await client.query(`create table ${table} (id int primary key, note text) with (autovacuum_enabled = false)`);
      await client.query(`insert into ${table} select n, 'row ' || n from generate_series(1, 20000) n`);
    }
    await client.query('delete from churned where id > 2000');
    await client.query('delete from quiet where id <= 10');
    await client.end();
    const read = async (sql: string) => {
      const reader = new pg.Client({ connectionString: harness.postgres.url(database) });
      await reader.connect();
      try {
        return (await reader.query(sql)).rows;
      } finally {
        await reader.end();
      }
    };
    await eventually('the dead tuples counted', async () => (await read(`select n_dead_tup from pg_stat_user_tables where relname = 'churned'`))[0]?.n_dead_tup >= 18000);
    const [{ relfilenode: before }] = await read(`select relfilenode from pg_class where relname = 'churned_pkey'`);

    const card = await approvalCard(`db-maintenance local-postgres --database ${database} --dead-tuples 1000 --min-index-bytes 0 --bloat 0.5`);
    const asked = blockTexts(harness.fake.messages(channel).find((message) => message.ts === card.ts)?.blocks);
    expect(asked).toContain('REINDEX INDEX CONCURRENTLY');
    expect(asked).toContain('churned_pkey');
    expect(asked).not.toContain('quiet_pkey');

    const final = await approveAndWaitForEnd(card, /db-maintenance: done/);
    expect(final).toMatch(/vacuumed 1 table over 1000 dead tuples.*public\.churned/);
    expect(final).toMatch(/sizes before/);
    expect(final).toMatch(/sizes after/);
    const vacuums = await eventually('the vacuum counts', async () => {
      const rows = await read(`select relname, vacuum_count::int as n from pg_stat_user_tables order by relname`);
      return rows.find((row) => row.relname === 'churned')?.n === 1 ? rows : undefined;
    });
    expect(vacuums).toEqual([{ relname: 'churned', n: 1 }, { relname: 'quiet', n: 0 }]);
    const [{ relfilenode: after }] = await read(`select relfilenode from pg_class where relname = 'churned_pkey'`);
    expect(after).not.toBe(before);
  }, 90_000);

  it('redis-memory-pressure over the threshold deletes only the pattern\'s keys after approval and reads the memory again', async () => {
    const redis = new Redis(harness.redis.url);
    try {
      const pipeline = redis.pipeline();
      for (let n = 0; n < 2000; n++) pipeline.set(`cache:${n}`, 'x'.repeat(1000));
      for (let n = 0; n < 10; n++) pipeline.set(`keep:${n}`, 'kept');
      await pipeline.exec();
      const used = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
      await redis.config('SET', 'maxmemory', String(Math.ceil(used * 1.1)));

      const card = await approvalCard('redis-memory-pressure local-redis --pattern cache:* --threshold 75');
      expect(blockTexts(harness.fake.messages(channel).find((message) => message.ts === card.ts)?.blocks)).toContain('2000');
      expect(await redis.dbsize()).toBe(2010);

      const final = await approveAndWaitForEnd(card, /redis-memory-pressure: done/);
      expect(await redis.dbsize()).toBe(10);
      expect((await redis.keys('*')).sort()).toEqual(Array.from({ length: 10 }, (_, n) => `keep:${n}`).sort());
      expect(final).toMatch(/read the slow log/);
      expect(final).toMatch(/read the memory again/);
      expect(final).toMatch(/tell the audience.{0,80}skipped/);
    } finally {
      await redis.config('SET', 'maxmemory', '0');
      redis.disconnect();
    }
  }, 60_000);
});
