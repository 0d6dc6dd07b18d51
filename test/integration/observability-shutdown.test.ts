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
import { eventually } from '../support/services.js';

const logger = createLogger({ level: 'silent', pretty: false });
const tempDir = useTempDir();
const apps: App[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

const alice = person('alice', ['operator']);
const bob = person('bob', ['operator']);
const lockKey = `test:slow:${process.pid}`;

/** The test.slow steps that have begun, in order; each runs until released or aborted. */
const begun: { release: () => void }[] = [];

/** A destructive step that runs until the test releases it or its signal aborts. */
const slow: ActionDefinition<Record<string, never>> = {
  name: 'test.slow',
  destructive: true,
  inputs: z.object({}),
  async plan() {
    return { summary: 'rewrite the big table', detail: [], lockKey };
  },
  async run(_input, context) {
    await new Promise<void>((resolve, reject) => {
      begun.push({ release: resolve });
      context.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    });
    return { summary: 'rewritten' };
  },
};

async function startCore(): Promise<{ app: App; chat: TestChat; audit: MemoryAudit }> {
  const root = await tempDir();
  const folders = { commands: join(root, 'commands'), runbooks: join(root, 'runbooks') };
  await mkdir(folders.commands);
  await mkdir(folders.runbooks);
  await writeFile(join(folders.commands, 'approve.yaml'), 'name: approve\nsummary: Approve\nargs:\n  - { name: id, required: true }\nroles: [operator]\nbuiltin: approve\n');
  await writeFile(join(folders.commands, 'rewrite.yaml'), 'name: rewrite\nsummary: Rewrite the big table\nroles: [operator]\nrunbook: rewrite\n');
  await writeFile(join(folders.commands, 'help.yaml'), 'name: help\nsummary: Help\nroles: [operator]\nbuiltin: help\n');
  await writeFile(join(folders.runbooks, 'rewrite.yaml'), 'name: rewrite\ndescription: test\nsteps:\n  - id: rewrite\n    action: test.slow\n  - id: again\n    action: test.slow\n');
  const audit = new MemoryAudit();
  const app = await buildApp(configSchema.parse({ targets: {} }), logger, { folders, audit, extraActions: [slow] });
  apps.push(app);
  const chat = new TestChat(() => app.router);
  app.outbound.connect(chat.port);
  return { app, chat, audit };
}

/** Asks for the rewrite as alice, approves it as bob, and returns once its first step runs, with the approval click still running. */
async function startApprovedRun(chat: TestChat): Promise<{ running: Promise<unknown>; step: { release: () => void } }> {
  const { handles } = await chat.type(alice, 'rewrite');
  const latest = chat.latest(handles[0]!);
  const id = (latest.kind === 'report' ? latest.buttons : [])!.find((button) => button.label === 'Approve')!.command.split(' ')[1]!;
  const before = begun.length;
  const running = chat.type(bob, `approve ${id}`);
  const step = await eventually('the first step to begin', () => begun[before], 20_000);
  return { running, step };
}

describe('graceful shutdown of the core', () => {
  it('refuses new commands, interrupts a step that outlives the grace period, records it and frees its lock', async () => {
    const { app, chat, audit } = await startCore();
    const tasks: string[] = [];
    app.onShutdown(async () => void tasks.push('scratch cleaned'));
    const { running } = await startApprovedRun(chat);
    expect(app.engine.runningCount).toBe(1);

    const drained = app.drain({ graceMs: 300, interruptMs: 2_000 });
    expect(await chat.type(alice, 'help')).toMatchObject({ outcome: 'refused' });
    expect(chat.privateTexts(alice)).toContain(shuttingDownText);
    await drained;
    await running;

    const outcomes = audit.events.filter((event) => event.kind !== 'command').map((event) => `${event.kind}:${event.outcome}`);
    expect(outcomes).toContain('step:interrupted');
    expect(audit.events.find((event) => event.kind === 'command' && event.command?.startsWith('approve '))).toMatchObject({
      outcome: 'failed',
      detail: expect.stringContaining('interrupted at step 1 by a shutdown'),
    });
    const acquired = await app.store.acquireLock(lockKey, { description: 'the next run', since: Date.now() }, 1_000);
    expect(acquired.acquired).toBe(true);
    const shown = JSON.stringify([...chat.messages.values()].map((versions) => versions.at(-1)));
    expect(shown).toContain('interrupted at step 1 of 2');

    await app.close();
    expect(tasks).toEqual(['scratch cleaned']);
  });

  it('lets a step that ends within the grace period finish, and starts no further step', async () => {
    const { app, chat, audit } = await startCore();
    const { running, step } = await startApprovedRun(chat);
    const drained = app.drain({ graceMs: 20_000, interruptMs: 1_000 });
    expect(await chat.type(alice, 'help')).toMatchObject({ outcome: 'refused' });
    step.release();
    await drained;
    await running;
    const steps = audit.events.filter((event) => event.kind === 'step').map((event) => `${event.kind}:${event.step ?? ''}:${event.outcome}`);
    expect(steps).toEqual(expect.arrayContaining(['step:rewrite:ok']));
    expect(audit.events.find((event) => event.kind === 'command' && event.command?.startsWith('approve '))).toMatchObject({
      outcome: 'failed',
      detail: expect.stringContaining('interrupted before step 2 by a shutdown'),
    });
    expect(steps.some((entry) => entry.startsWith('step:again:'))).toBe(false);
    expect((await app.store.acquireLock(lockKey, { description: 'next', since: Date.now() }, 1_000)).acquired).toBe(true);
  });
});
