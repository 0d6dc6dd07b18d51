import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp, shippedDefinitions, type App } from '../../src/app.js';
import { configSchema } from '../../src/config/schema.js';
import type { Report } from '../../src/core/report.js';
import { UserError } from '../../src/core/errors.js';
import { formatTimes, utcTime } from '../../src/core/time.js';
import { renderText } from '../../src/render/text.js';
import type { ActionDefinition } from '../../src/core/action.js';
import { createLogger } from '../../src/logging/logger.js';
import { RedisStore } from '../../src/store/redis-store.js';
import { person, TestChat } from '../support/test-chat.js';
import { MemoryAudit } from '../support/memory-audit.js';
import { eventually } from '../support/services.js';

const redisUrl = 'redis://127.0.0.1:6379';
const run = `approvals-${process.pid}-${Date.now()}`;
const counterKey = `maintbot-test:${run}:bumps`;
const redis = new Redis(redisUrl);
const logger = createLogger({ level: 'silent', pretty: false });

const alice = person('alice', ['operator']);
const bob = person('bob', ['operator']);
const carol = person('carol', ['operator']);
const victor = person('victor', ['viewer']);

/** A destructive action with an effect we can count in Redis. */
const bump: ActionDefinition<{ by: number }> = {
  name: 'test.bump',
  destructive: true,
  inputs: z.object({ by: z.number().int() }),
  async plan(input) {
    return { summary: `add ${input.by} to the counter`, detail: [`INCRBY ${counterKey} ${input.by}`], lockKey: `test:${run}`, data: { planned: input.by } };
  },
  async run(input, context) {
    const planned = (context.approvedPlan?.data as { planned: number } | undefined)?.planned;
    const value = await redis.incrby(counterKey, planned ?? input.by);
    return { summary: `counter is now ${value}` };
  },
};

const targetKey = `test:${run}:target`;
/** What the `hold` steps did, in order: `start a`, `end a`… */
const held: string[] = [];
const gates = new Map<string, () => void>();

/** A destructive step on one shared target that runs until the test lets it end (`release(name)`). */
const hold: ActionDefinition<{ name: string }> = {
  name: 'test.hold',
  destructive: true,
  inputs: z.object({ name: z.string() }),
  async plan(input) {
    if (input.name === 'missing') throw new UserError('There is no thing named "missing" to hold.');
    return { summary: `hold ${input.name}`, detail: [], lockKey: targetKey };
  },
  async run(input) {
    held.push(`start ${input.name}`);
    await new Promise<void>((resolve) => gates.set(input.name, resolve));
    held.push(`end ${input.name}`);
    return { summary: `held ${input.name}` };
  },
};

function release(name: string): void {
  const open = gates.get(name);
  if (!open) throw new Error(`step ${name} is not running`);
  open();
}

let folders: { commands: string; runbooks: string };
let root: string;
const apps: App[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'maintbot-approvals-'));
  folders = { commands: join(root, 'commands'), runbooks: join(root, 'runbooks') };
  await mkdir(folders.commands);
  await mkdir(folders.runbooks);
  for (const name of ['approve', 'reject', 'help', 'audit']) {
    await writeFile(join(folders.commands, `${name}.yaml`), await import('node:fs/promises').then((fs) => fs.readFile(join(shippedDefinitions.commands, `${name}.yaml`), 'utf8')));
  }
  await writeFile(
    join(folders.commands, 'bump.yaml'),
    'name: bump\nsummary: Add to the counter\nargs:\n  - { name: by, type: integer, default: 1 }\nroles: [operator]\nrunbook: bump\n',
  );
  await writeFile(
    join(folders.runbooks, 'bump.yaml'),
    [
      'name: bump',
      'description: A destructive test step',
      'params:',
      '  by: { type: integer, default: 1 }',
      'steps:',
      '  - id: note',
      '    action: test.note',
      '  - id: bump',
      '    title: add to the counter',
      '    action: test.bump',
      '    with: { by: "${params.by}" }',
    ].join('\n'),
  );
  await writeFile(join(folders.commands, 'hold.yaml'), 'name: hold\nsummary: Hold the shared target\nargs:\n  - { name: name, required: true }\nroles: [operator]\nrunbook: hold\n');
  await writeFile(
    join(folders.runbooks, 'hold.yaml'),
    ['name: hold', 'description: A destructive step that runs until the test ends it', 'params:', '  name: { type: string, required: true }', 'steps:', '  - id: hold', '    action: test.hold', '    with: { name: "${params.name}" }'].join('\n'),
  );
});

afterEach(async () => {
  for (const open of gates.values()) open();
  gates.clear();
  held.length = 0;
  await Promise.all(apps.splice(0).map((app) => app.close()));
  const keys = await redis.keys(`maintbot-test-${run}:*`);
  await redis.del(counterKey, ...keys);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  const keys = await redis.keys(`maintbot-test-${run}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

const note: ActionDefinition<Record<string, never>> = {
  name: 'test.note',
  destructive: false,
  inputs: z.object({}),
  async plan() {
    return { summary: 'note the request', detail: [] };
  },
  async run() {
    return { summary: 'noted', output: { noted: true } };
  },
};

async function startBot(overrides: Record<string, unknown> = {}, workspace?: TestChat, runs: Record<string, unknown> = {}): Promise<{ app: App; chat: TestChat; audit: MemoryAudit }> {
  const audit = new MemoryAudit();
  const config = configSchema.parse({ approvals: { expires_after: '15m', ...overrides }, runs });
  const store = await RedisStore.connect(redisUrl, { prefix: `maintbot-test-${run}:` });
  const app = await buildApp(config, logger, { folders, store, audit, extraActions: [bump, note, hold] });
  apps.push(app);
  const chat = new TestChat(() => app.router, workspace);
  app.outbound.connect(chat.port);
  return { app, chat, audit };
}

function card(chat: TestChat, handle: { platform: string; id: string }): Report {
  const message = chat.latest(handle);
  if (message.kind !== 'report') throw new Error(`expected a report, got: ${message.text}`);
  return message;
}

async function counter(): Promise<number> {
  return Number((await redis.get(counterKey)) ?? 0);
}

function requestId(report: Report): string {
  const approve = report.buttons?.find((button) => button.label === 'Approve');
  if (!approve) throw new Error(`no Approve button on: ${report.title}`);
  return approve.command.split(' ')[1]!;
}

describe('approval of a destructive step', () => {
  it('runs nothing until another operator approves, then runs once and says who approved', async () => {
    const { chat } = await startBot();
    const { handles } = await chat.type(alice, 'bump 5');
    const pending = card(chat, handles[0]!);
    expect(pending.title).toBe('Approval needed: bump');
    expect(JSON.stringify(pending.sections)).toContain(`INCRBY ${counterKey} 5`);
    expect(await counter()).toBe(0);

    await chat.click(bob, handles[0]!, 'Approve');
    expect(await counter()).toBe(5);
    const done = card(chat, handles[0]!);
    expect(done.status).toBe('ok');
    expect(renderText(done)).toMatch(/approved by\s+bob at \d\d:\d\d UTC/);
  });

  it("refuses the requester's own approval with the reason, and runs nothing", async () => {
    const { chat, audit } = await startBot();
    const { handles } = await chat.type(alice, 'bump');
    expect(await chat.click(alice, handles[0]!, 'Approve')).toBe('denied');
    expect(chat.privateTexts(alice).at(-1)).toMatch(/You asked for this, so someone else must approve it \(four-eyes rule\)/);
    expect(await counter()).toBe(0);
    expect(card(chat, handles[0]!).title).toBe('Approval needed: bump');
    expect(audit.events.some((event) => event.kind === 'approval' && event.outcome === 'refused' && event.detail === 'self-approval')).toBe(true);
  });

  it('refuses an approver without an approver role, naming the roles needed', async () => {
    const { chat } = await startBot();
    const { handles } = await chat.type(alice, 'bump');
    await chat.click(victor, handles[0]!, 'Approve');
    expect(chat.privateTexts(victor).at(-1)).toBe(`Only operator or admin may approve request ${requestId(card(chat, handles[0]!))}; you have viewer.`);
    expect(await counter()).toBe(0);
  });

  it('runs nothing after Reject; the card says who rejected and later clicks only explain', async () => {
    const { chat } = await startBot();
    const { handles } = await chat.type(alice, 'bump');
    const id = requestId(card(chat, handles[0]!));
    await chat.click(bob, handles[0]!, 'Reject');
    expect(card(chat, handles[0]!).title).toBe('Rejected: bump');
    expect(renderText(card(chat, handles[0]!))).toMatch(/\n {2}Rejected by bob at \d\d:\d\d UTC\. Nothing was run\.\n/);
    await chat.type(carol, `approve ${id}`);
    expect(chat.privateTexts(carol).at(-1)).toBe(`Request ${id} is already rejected; your click changed nothing.`);
    expect(await counter()).toBe(0);
  });

  it('runs nothing after expiry; the card says so and an Approve click only explains', async () => {
    const { app, chat } = await startBot({ expires_after: '1s' });
    const { handles } = await chat.type(alice, 'bump');
    const id = requestId(card(chat, handles[0]!));
    await eventually('the card to show the expiry', () => card(chat, handles[0]!).title === 'Expired: bump', 20_000);
    await chat.type(bob, `approve ${id}`);
    expect(chat.privateTexts(bob).at(-1)).toMatch(new RegExp(`^Request ${id} expired at \\d\\d:\\d\\d UTC; nothing was run\\.`));
    expect(await counter()).toBe(0);
    expect((await app.approvals.get(id))?.status).toBe('expired');
  });

  it('needs N distinct approvers when the rule says so', async () => {
    const { chat } = await startBot({ required: 2 });
    const { handles } = await chat.type(alice, 'bump');
    await chat.click(bob, handles[0]!, 'Approve');
    await chat.click(bob, handles[0]!, 'Approve');
    expect(await counter()).toBe(0);
    expect(chat.privateTexts(bob).at(-1)).toMatch(/You already approved .*; it needs 1 more approval/);
    expect(JSON.stringify(card(chat, handles[0]!).sections)).toContain('bob at');
    await chat.click(carol, handles[0]!, 'Approve');
    expect(await counter()).toBe(1);
  });

  it('runs exactly once when 20 approvers click at the same moment in two bot processes sharing Redis', async () => {
    const first = await startBot();
    const second = await startBot({}, first.chat);
    const { handles } = await first.chat.type(alice, 'bump 7');
    const id = requestId(card(first.chat, handles[0]!));
    const approvers = Array.from({ length: 20 }, (_, index) => person(`approver-${index}`, ['operator']));
    await Promise.all(approvers.map((approver, index) => (index % 2 === 0 ? first.chat : second.chat).type(approver, `approve ${id}`)));
    expect(await counter()).toBe(7);
    const approved = [...first.audit.events, ...second.audit.events].filter((event) => event.kind === 'approval' && event.outcome === 'approved');
    expect(approved).toHaveLength(1);
    const ran = [...first.audit.events, ...second.audit.events].filter((event) => event.kind === 'step' && event.step === 'bump' && event.outcome === 'ok');
    expect(ran).toHaveLength(1);
  });

  it('keeps a pending request across a restart: a new bot on the same Redis can approve it', async () => {
    const before = await startBot();
    const { handles } = await before.chat.type(alice, 'bump 3');
    const id = requestId(card(before.chat, handles[0]!));
    await before.app.close();
    apps.splice(apps.indexOf(before.app), 1);

    const after = await startBot({}, before.chat);
    await after.chat.type(bob, `approve ${id}`);
    expect(await counter()).toBe(3);
    expect((await after.app.approvals.get(id))?.status).toBe('done');
  });

  it('shows the plan with --dry-run and asks nobody', async () => {
    const { chat } = await startBot();
    const { handles } = await chat.type(alice, 'bump 2 --dry-run');
    const message = chat.latest(handles[0]!);
    expect(message.kind).toBe('notice');
    expect(message.kind === 'notice' && message.preformatted).toContain('[needs approval] add 2 to the counter');
    expect(await counter()).toBe(0);
  });

  it('leaves one complete audit record per decision', async () => {
    const { chat, audit } = await startBot();
    const { handles } = await chat.type(alice, 'bump 4');
    await chat.click(bob, handles[0]!, 'Approve');
    const kinds = audit.events.map((event) => `${event.kind}:${event.outcome}:${event.actor.name}`);
    expect(kinds).toEqual(['step:ok:alice', 'approval:requested:alice', 'step:waiting:alice', 'command:pending-approval:alice', 'approval:approved:bob', 'step:ok:bob', 'command:ok:bob']);
    const id = audit.events.find((event) => event.kind === 'approval')!.approvalId;
    expect(audit.events.filter((event) => event.approvalId === id).map((event) => `${event.kind}:${event.outcome}`)).toEqual([
      'approval:requested',
      'step:waiting',
      'command:pending-approval',
      'approval:approved',
      'step:ok',
      'command:ok',
    ]);
    const requested = audit.events.find((event) => event.outcome === 'requested')!;
    expect(requested).toMatchObject({ runbook: 'bump', args: { by: 4 }, detail: 'add 4 to the counter' });
  });
});

/** The text of a message as the terminal shows it (times in UTC). */
function shownText(chat: TestChat, handle: { id: string }): string {
  const message = chat.latest(handle);
  return formatTimes(message.kind === 'notice' ? message.text : renderText(message), utcTime);
}

describe('the run lock of a target', () => {
  it("files a second request while another is pending and tells its requester the pending one's id, who and since; a pending request holds no lock", async () => {
    const { app, chat } = await startBot();
    const first = await chat.type(alice, 'hold a');
    const firstId = requestId(card(chat, first.handles[0]!));
    expect(await app.store.lockHolder(targetKey)).toBeUndefined();

    const second = await chat.type(bob, 'hold b');
    expect(second.outcome).toBe('pending-approval');
    const secondId = requestId(card(chat, second.handles[0]!));
    expect(card(chat, second.handles[0]!).title).toBe('Approval needed: hold');
    const told = chat.privateTexts(bob);
    expect(told).toHaveLength(1);
    const [filed, pending, ...rest] = told[0]!.split('\n');
    expect(filed).toBe(`Request ${secondId} is filed; once approved, its step waits for ${targetKey} to be free (up to 10 min): one destructive step per target at a time.`);
    expect(pending).toMatch(new RegExp(`^Also pending for ${targetKey}: request ${firstId} by alice since \\d\\d:\\d\\d UTC \\(hold: hold a\\)\\.$`));
    expect(rest).toEqual([]);
    expect(chat.privateTexts(alice)).toEqual([]);
    expect(held).toEqual([]);
  });

  it('refuses an invalid request for its own reason while another request for the target is pending, never as busy', async () => {
    const { chat, audit } = await startBot();
    await chat.type(alice, 'hold a');
    expect(await chat.type(bob, 'hold missing')).toEqual({ outcome: 'refused', handles: [] });
    expect(chat.privateTexts(bob)).toEqual(['There is no thing named "missing" to hold.']);
    expect(audit.events.filter((event) => event.actor.name === 'bob')).toEqual([
      expect.objectContaining({ kind: 'command', outcome: 'refused', runbook: 'hold', detail: 'There is no thing named "missing" to hold.' }),
    ]);
  });

  it('runs two approved destructive steps on one target one after the other: the second waits, its card naming the run that holds the target', async () => {
    const { app, chat } = await startBot();
    const first = await chat.type(alice, 'hold a');
    const firstId = requestId(card(chat, first.handles[0]!));
    const second = await chat.type(bob, 'hold b');

    const approvingFirst = chat.click(carol, first.handles[0]!, 'Approve');
    await eventually('the first step to start', () => held.includes('start a'));
    expect((await app.store.lockHolder(targetKey))?.description).toBe(`hold (approval ${firstId}, asked by alice, approved by carol)`);
    const approvingSecond = chat.click(carol, second.handles[0]!, 'Approve');
    await eventually('the second card to say what it waits for', () =>
      new RegExp(`waiting for ${targetKey}: hold \\(approval ${firstId}, asked by alice, approved by carol\\) has held it since \\d\\d:\\d\\d UTC; this step starts when it is free`).test(shownText(chat, second.handles[0]!)),
    );
    expect(held).toEqual(['start a']);

    release('a');
    expect(await approvingFirst).toBe('ok');
    await eventually('the second step to start once the first ended', () => held.includes('start b'));
    release('b');
    expect(await approvingSecond).toBe('ok');
    expect(held).toEqual(['start a', 'end a', 'start b', 'end b']);
    expect(card(chat, second.handles[0]!).status).toBe('ok');
    expect(await app.store.lockHolder(targetKey)).toBeUndefined();
  });

  it('gives up on a target still busy after runs.target_wait: the card names the run that holds it, and nothing runs', async () => {
    const { chat } = await startBot({}, undefined, { target_wait: '0s' });
    const first = await chat.type(alice, 'hold a');
    const firstId = requestId(card(chat, first.handles[0]!));
    const second = await chat.type(bob, 'hold b');
    const approvingFirst = chat.click(carol, first.handles[0]!, 'Approve');
    await eventually('the first step to start', () => held.includes('start a'));

    expect(await chat.click(carol, second.handles[0]!, 'Approve')).toBe('failed');
    const shown = card(chat, second.handles[0]!);
    expect(shown.status).toBe('crit');
    expect(shownText(chat, second.handles[0]!)).toMatch(
      new RegExp(`${targetKey} is still busy after waiting 0 ms: hold \\(approval ${firstId}, asked by alice, approved by carol\\) has held it since \\d\\d:\\d\\d UTC\\. One destructive step per target at a time, so nothing was run`),
    );
    release('a');
    expect(await approvingFirst).toBe('ok');
    expect(held).toEqual(['start a', 'end a']);
  });
});

describe('a run whose bot process stopped renewing its lease', () => {
  it('is declared lost by exactly one of the processes that look at once, which says so on the card and frees the target', async () => {
    const runs = { lease: '300ms', lost_check_every: '1h' };
    const runner = await startBot({}, undefined, runs);
    const others = [await startBot({}, runner.chat, runs), await startBot({}, runner.chat, runs)];
    const asked = await runner.chat.type(alice, 'hold a');
    const id = requestId(card(runner.chat, asked.handles[0]!));
    void runner.chat.click(bob, asked.handles[0]!, 'Approve');
    await eventually('the step to start', () => held.includes('start a'));

    runner.app.approvals.stop();
    await eventually('the lease to lapse', async () => ((await runner.app.approvals.get(id))?.lease?.until ?? Infinity) < Date.now());
    await Promise.all(others.flatMap(({ app }) => [app.approvals.checkLostRuns(), app.approvals.checkLostRuns()]));

    expect((await runner.app.approvals.get(id))?.status).toBe('lost');
    const lostRows = others.flatMap(({ audit }) => audit.events).filter((event) => event.outcome === 'lost');
    expect(lostRows).toEqual([expect.objectContaining({ kind: 'runbook', runbook: 'hold', approvalId: id, actor: expect.objectContaining({ name: 'bob' }) })]);
    const versions = runner.chat.messages.get(asked.handles[0]!.id)!;
    expect(versions.filter((version) => renderText(version).includes('was lost at step 1 of 1 (hold)'))).toHaveLength(1);
    expect(renderText(versions.at(-1)!)).toMatch(/hold was lost at step 1 of 1 \(hold\): the bot process running it stopped, and its lease expired\. Nothing more will run/);
    expect(await runner.app.store.lockHolder(targetKey)).toBeUndefined();
  });

  it('is stopped in the process that still runs it once another declared it lost, and says why', async () => {
    const runs = { lease: '300ms', lost_check_every: '1h' };
    const runner = await startBot({}, undefined, runs);
    const other = await startBot({}, runner.chat, runs);
    const asked = await runner.chat.type(alice, 'hold a');
    const id = requestId(card(runner.chat, asked.handles[0]!));
    const approving = runner.chat.click(bob, asked.handles[0]!, 'Approve');
    await eventually('the step to start', () => held.includes('start a'));

    await eventually('another process to declare the run lost, as if its lease had lapsed', async () => {
      const current = (await runner.app.approvals.get(id))!;
      if (current.status === 'approved') {
        await redis.set(`maintbot-test-${run}:approval:${id}`, JSON.stringify({ ...current, lease: { ...current.lease!, until: 0 } }), 'KEEPTTL');
        await other.app.approvals.checkLostRuns();
      }
      return (await runner.app.approvals.get(id))?.status === 'lost';
    });
    expect(await approving).toBe('failed');
    expect(renderText(card(runner.chat, asked.handles[0]!))).toContain("interrupted at step 1 of 1 (hold) because this bot process lost the run's lease (another one declared it lost)");
    expect((await runner.app.approvals.get(id))?.status).toBe('lost');
    expect(await runner.app.store.lockHolder(targetKey)).toBeUndefined();
  });
});
