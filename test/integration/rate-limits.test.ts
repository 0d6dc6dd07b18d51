import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp, type App } from '../../src/app.js';
import { configSchema } from '../../src/config/schema.js';
import type { ActionDefinition } from '../../src/core/action.js';
import { UserError } from '../../src/core/errors.js';
import { createLogger } from '../../src/logging/logger.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { RedisStore } from '../../src/store/redis-store.js';
import type { Store } from '../../src/store/store.js';
import { MemoryAudit } from '../support/memory-audit.js';
import { startOwnRedis, type OwnRedis } from '../support/services.js';
import { useTempDir } from '../support/temp.js';
import { person, TestChat } from '../support/test-chat.js';

const logger = createLogger({ level: 'silent', pretty: false });
const tempDir = useTempDir();
const alice = person('alice', ['operator']);
const bob = person('bob', ['operator']);
const apps: App[] = [];

afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

/** Pokes thing N: at once, or with --hard only once someone approved; thing 0 does not exist. */
const poke: ActionDefinition<{ n: number; hard: boolean }> = {
  name: 'test.poke',
  destructive: (input) => input.hard,
  inputs: z.object({ n: z.number().int(), hard: z.boolean() }),
  async plan(input) {
    if (input.n === 0) throw new UserError('There is no thing 0 to poke.');
    return { summary: `poke thing ${input.n}${input.hard ? ' hard' : ''}`, detail: [], lockKey: `test:poke:${process.pid}:${input.n}` };
  },
  async run(input) {
    return { summary: `poked thing ${input.n}` };
  },
};

async function definitions(): Promise<{ commands: string; runbooks: string }> {
  const root = await tempDir();
  const folders = { commands: join(root, 'commands'), runbooks: join(root, 'runbooks') };
  await mkdir(folders.commands);
  await mkdir(folders.runbooks);
  await writeFile(join(folders.commands, 'help.yaml'), 'name: help\nsummary: Help\nroles: [viewer, operator]\nbuiltin: help\n');
  await writeFile(
    join(folders.commands, 'poke.yaml'),
    'name: poke\nsummary: Poke a thing\nargs:\n  - { name: n, type: integer, required: true }\nflags:\n  - { name: hard, type: boolean, description: needs approval }\nroles: [operator]\nrunbook: poke\n',
  );
  await writeFile(
    join(folders.runbooks, 'poke.yaml'),
    'name: poke\ndescription: test\nparams:\n  n: { type: integer, required: true }\n  hard: { type: boolean, default: false }\nsteps:\n  - id: poke\n    action: test.poke\n    with: { n: "${params.n}", hard: "${params.hard}" }\n',
  );
  return folders;
}

/** A clock the test moves by hand. */
function manualClock(startIso: string): { now: () => number; set(iso: string): void } {
  let at = Date.parse(startIso);
  return { now: () => at, set: (iso) => void (at = Date.parse(iso)) };
}

async function startApp(config: Record<string, unknown>, options: { store?: Store; now: () => number; folders?: { commands: string; runbooks: string }; chat?: TestChat }) {
  const audit = new MemoryAudit();
  const app = await buildApp(configSchema.parse({ targets: {}, ...config }), logger, {
    folders: options.folders ?? (await definitions()),
    store: options.store ?? new MemoryStore(options.now),
    audit,
    extraActions: [poke],
    now: options.now,
  });
  apps.push(app);
  const chat = new TestChat(() => app.router, options.chat);
  app.outbound.connect(chat.port);
  return { app, chat, audit };
}

describe('per-person rate limits', () => {
  it('refuses the command over the limit privately, says when to retry, records it, and lets the next window in', async () => {
    const clock = manualClock('2026-03-02T10:15:20Z');
    const { chat, audit } = await startApp({ rate_limits: { commands: { limit: 3, per: '1m' } } }, { now: clock.now });
    for (const n of [1, 2, 3]) expect((await chat.type(alice, `poke ${n}`)).outcome).toBe('ok');
    expect((await chat.type(alice, 'help')).outcome).toBe('ok');

    const refused = await chat.type(alice, 'poke 4');
    expect(refused).toEqual({ outcome: 'refused', handles: [] });
    expect(chat.privateTexts(alice).at(-1)).toBe('You have reached the limit of 3 commands a minute. Try again at 10:16 UTC.');
    expect(audit.events.filter((event) => event.kind === 'command' && event.outcome === 'refused')).toEqual([
      expect.objectContaining({ actor: { id: 'alice', name: 'alice' }, command: 'poke 4', detail: 'rate limit: 3 commands a minute, retry at 2026-03-02T10:16:00.000Z' }),
    ]);
    expect((await chat.type(bob, 'poke 5')).outcome).toBe('ok');

    clock.set('2026-03-02T10:16:00Z');
    expect((await chat.type(alice, 'poke 6')).outcome).toBe('ok');
  });

  it('counts only requests that post an approval card against the destructive limit', async () => {
    const clock = manualClock('2026-03-02T10:15:20Z');
    const { app, chat, audit } = await startApp({ rate_limits: { destructive: { limit: 2, per: '1h' } } }, { now: clock.now });
    expect((await chat.type(alice, 'poke 1 --hard')).outcome).toBe('pending-approval');
    expect((await chat.type(alice, 'poke 2')).outcome).toBe('ok');
    expect((await chat.type(alice, 'poke 0 --hard')).outcome).toBe('refused');
    expect(chat.privateTexts(alice).at(-1)).toBe('There is no thing 0 to poke.');
    expect((await chat.type(alice, 'poke 3 --hard --dry-run')).outcome).toBe('ok');
    expect((await chat.type(alice, 'poke 4 --hard')).outcome).toBe('pending-approval');

    expect((await chat.type(alice, 'poke 5 --hard')).outcome).toBe('refused');
    expect(chat.privateTexts(alice).at(-1)).toBe('You have reached the limit of 2 requests for approval an hour. Try again at 11:00 UTC.');
    expect(audit.events.at(-1)).toMatchObject({ kind: 'command', outcome: 'refused', command: 'poke 5 --hard', runbook: 'poke', detail: 'rate limit: 2 requests for approval an hour, retry at 2026-03-02T11:00:00.000Z' });
    expect((await app.approvals.pending()).map((request) => request.plan.summary).sort()).toEqual(['poke thing 1 hard', 'poke thing 4 hard']);
    expect((await chat.type(alice, 'poke 6')).outcome).toBe('ok');
  });

  it('does not count what schedules run, not even their requests for approval', async () => {
    const clock = manualClock('2026-03-02T10:15:20Z');
    const schedule = (n: number) => ({ name: `poke-${n}`, cron: '0 3 1 1 *', timezone: 'UTC', run: { runbook: 'poke', params: { n, hard: true } }, channels: [{ platform: 'console', id: 'terminal' }] });
    const { app, chat } = await startApp(
      { rate_limits: { commands: { limit: 1, per: '1h' }, destructive: { limit: 1, per: '1h' } }, schedules: [1, 2, 3].map(schedule) },
      { now: clock.now },
    );
    for (const n of [1, 2, 3]) expect((await app.scheduler.runNow(`poke-${n}`, 'the test')).summary).toBe('runbook poke waiting');
    expect(await app.approvals.pending()).toHaveLength(3);
    expect((await chat.type(alice, 'poke 4 --hard')).outcome).toBe('pending-approval');
    expect((await chat.type(alice, 'poke 5')).outcome).toBe('refused');
  });

  it('can be switched off', async () => {
    const clock = manualClock('2026-03-02T10:15:20Z');
    const { chat } = await startApp({ rate_limits: { enabled: false, commands: { limit: 1, per: '1h' } } }, { now: clock.now });
    for (const n of [1, 2, 3]) expect((await chat.type(alice, `poke ${n}`)).outcome).toBe('ok');
  });
});

describe('a rate limit shared by two bot processes on one Redis', () => {
  let redis: OwnRedis;
  beforeAll(async () => {
    redis = await startOwnRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('counts the commands a person sends to either replica against one limit', async () => {
    const clock = manualClock('2026-03-02T10:15:20Z');
    const config = { rate_limits: { commands: { limit: 3, per: '10m' } } };
    const folders = await definitions();
    const first = await startApp(config, { store: await RedisStore.connect(redis.url, { prefix: 'limits:' }), now: clock.now, folders });
    const second = await startApp(config, { store: await RedisStore.connect(redis.url, { prefix: 'limits:' }), now: clock.now, folders, chat: first.chat });

    expect((await first.chat.type(alice, 'poke 1')).outcome).toBe('ok');
    expect((await second.chat.type(alice, 'poke 2')).outcome).toBe('ok');
    expect((await first.chat.type(alice, 'poke 3')).outcome).toBe('ok');
    expect((await second.chat.type(alice, 'poke 4')).outcome).toBe('refused');
    expect((await first.chat.type(alice, 'poke 5')).outcome).toBe('refused');
    expect(first.chat.privateTexts(alice).slice(-2)).toEqual([
      'You have reached the limit of 3 commands per 10m. Try again at 10:20 UTC.',
      'You have reached the limit of 3 commands per 10m. Try again at 10:20 UTC.',
    ]);
    expect(second.audit.events.filter((event) => event.outcome === 'refused')).toEqual([expect.objectContaining({ command: 'poke 4' })]);
  });
});
