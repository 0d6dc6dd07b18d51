import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp, type App } from '../../src/app.js';
import { configSchema } from '../../src/config/schema.js';
import type { ActionDefinition } from '../../src/core/action.js';
import { createLogger } from '../../src/logging/logger.js';
import { shuttingDownText } from '../../src/router/router.js';
import { person, TestChat } from '../support/test-chat.js';
import { useTempDir } from '../support/temp.js';
import { MemoryAudit } from '../support/memory-audit.js';

const logger = createLogger({ level: 'silent', pretty: false });
const tempDir = useTempDir();
const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

const alice = person('alice', ['operator']);
const bob = person('bob', ['operator']);
const lockKey = `test:slow:${process.pid}`;

/** A destructive step that runs until it is aborted, or `quick` ms when given. */
const slow: ActionDefinition<{ quick?: number }> = {
  name: 'test.slow',
  destructive: true,
  inputs: z.object({ quick: z.number().int().optional() }),
  async plan() {
    return { summary: 'rewrite the big table', detail: [], lockKey };
  },
  async run(input, context) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(resolve, input.quick ?? 60_000);
      context.signal.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          reject(new Error('aborted'));
        },
        { once: true },
      );
    });
    return { summary: 'rewritten' };
  },
};

async function startCore(quick?: number): Promise<{ app: App; chat: TestChat; audit: MemoryAudit }> {
  const root = await tempDir();
  const folders = { commands: join(root, 'commands'), runbooks: join(root, 'runbooks') };
  await mkdir(folders.commands);
  await mkdir(folders.runbooks);
  await writeFile(join(folders.commands, 'approve.yaml'), 'name: approve\nsummary: Approve\nargs:\n  - { name: id, required: true }\nroles: [operator]\nbuiltin: approve\n');
  await writeFile(join(folders.commands, 'rewrite.yaml'), 'name: rewrite\nsummary: Rewrite the big table\nroles: [operator]\nrunbook: rewrite\n');
  await writeFile(join(folders.commands, 'help.yaml'), 'name: help\nsummary: Help\nroles: [operator]\nbuiltin: help\n');
  const withInput = quick === undefined ? '' : `\n    with: { quick: ${quick} }`;
  await writeFile(join(folders.runbooks, 'rewrite.yaml'), `name: rewrite\ndescription: test\nsteps:\n  - id: rewrite\n    action: test.slow${withInput}\n  - id: again\n    action: test.slow${withInput}\n`);
  const audit = new MemoryAudit();
  const app = await buildApp(configSchema.parse({ targets: {} }), logger, { folders, audit, extraActions: [slow] });
  apps.push(app);
  const chat = new TestChat(() => app.router);
  app.outbound.connect(chat.port);
  return { app, chat, audit };
}

/** Asks for the rewrite as alice, approves it as bob, and returns the approval click still running. */
async function startApprovedRun(chat: TestChat): Promise<{ running: Promise<unknown> }> {
  const { handles } = await chat.type(alice, 'rewrite');
  const latest = chat.latest(handles[0]!);
  const id = (latest.kind === 'report' ? latest.buttons : [])!.find((button) => button.label === 'Approve')!.command.split(' ')[1]!;
  const running = chat.type(bob, `approve ${id}`);
  await new Promise((resolve) => setTimeout(resolve, 100));
  return { running };
}

describe('graceful shutdown of the core', () => {
  it('refuses new commands, interrupts a step that outlives the grace period, records it and frees its lock', async () => {
    const { app, chat, audit } = await startCore();
    const tasks: string[] = [];
    app.onShutdown(async () => void tasks.push('scratch cleaned'));
    const { running } = await startApprovedRun(chat);
    expect(app.engine.runningCount).toBe(1);

    const started = Date.now();
    const drained = app.drain({ graceMs: 300, interruptMs: 2_000 });
    expect(await chat.type(alice, 'help')).toMatchObject({ outcome: 'refused' });
    expect(chat.privateTexts(alice)).toContain(shuttingDownText);
    await drained;
    expect(Date.now() - started).toBeLessThan(1_500);
    await running;

    const outcomes = audit.events.filter((event) => event.kind !== 'command').map((event) => `${event.kind}:${event.outcome}`);
    expect(outcomes).toContain('step:interrupted');
    expect(outcomes).toContain('runbook:interrupted');
    const acquired = await app.store.acquireLock(lockKey, { description: 'the next run', since: Date.now() }, 1_000);
    expect(acquired.acquired).toBe(true);
    const shown = JSON.stringify([...chat.messages.values()].map((versions) => versions.at(-1)));
    expect(shown).toContain('interrupted at step 1 of 2');

    await app.close();
    expect(tasks).toEqual(['scratch cleaned']);
  });

  it('lets a step that ends within the grace period finish, and starts no further step', async () => {
    const { app, chat, audit } = await startCore(200);
    const { running } = await startApprovedRun(chat);
    await app.drain({ graceMs: 3_000, interruptMs: 1_000 });
    await running;
    const steps = audit.events.filter((event) => event.kind === 'step' || event.kind === 'runbook').map((event) => `${event.kind}:${event.step ?? ''}:${event.outcome}`);
    expect(steps).toEqual(expect.arrayContaining(['step:rewrite:ok', 'runbook::interrupted']));
    expect(steps.some((entry) => entry.startsWith('step:again:'))).toBe(false);
    expect((await app.store.acquireLock(lockKey, { description: 'next', since: Date.now() }, 1_000)).acquired).toBe(true);
  });
});
