import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, type App } from '../../src/app.js';
import { runConsoleChat } from '../../src/chat/console/console-chat.js';
import { ConsoleResponder } from '../../src/chat/console/console-responder.js';
import { configSchema } from '../../src/config/schema.js';
import type { Actor } from '../../src/core/invocation.js';
import { createLogger } from '../../src/logging/logger.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { removeTestContainers, startTestContainer } from '../support/docker.js';
import { MemoryAudit } from '../support/memory-audit.js';

const container = `maintbot-test-terminal-requests-${randomBytes(4).toString('hex')}`;
let app: App;

beforeAll(async () => {
  await removeTestContainers(container);
  await startTestContainer({ name: container });
  const config = configSchema.parse({ targets: { docker: [{ name: 'apps', containers: [container], allow_actions: ['restart'] }] } });
  app = await buildApp(config, createLogger({ level: 'silent', pretty: false }), { store: new MemoryStore(), audit: new MemoryAudit() });
}, 30_000);

afterAll(async () => {
  await app?.close();
  await removeTestContainers(container);
});

/** A terminal chat of its own for one person: `type` resolves with what the bot printed for that line. */
function terminal(actor: Actor): { type(line: string): Promise<string>; close(): Promise<void> } {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  let finished: (() => void) | undefined;
  const handler = {
    handle: async (...args: Parameters<App['router']['handle']>) => {
      const outcome = await app.router.handle(...args);
      finished?.();
      return outcome;
    },
  };
  const chat = runConsoleChat(handler, { input, output, interactive: false, actor, responder: new ConsoleResponder(output, false) });
  return {
    type: async (line) => {
      const from = printed.length;
      await new Promise<void>((resolve) => {
        finished = resolve;
        input.write(`${line}\n`);
      });
      return printed.slice(from);
    },
    close: async () => {
      input.end();
      await chat;
    },
  };
}

describe('pending approval requests in the terminal chat, times in UTC', () => {
  it('lists a request, refuses a cancel by someone else, and lets the requester withdraw it', async () => {
    const ana = terminal({ id: 'ana', name: 'ana', roles: ['operator'] });
    const ben = terminal({ id: 'ben', name: 'ben', roles: ['operator'] });
    try {
      const card = await ana.type(`/maint restart ${container}`);
      expect(card).toMatch(/Approval needed: restart/);
      expect(card).toMatch(/expires\s+\d\d:\d\d UTC \(in 15 min\)/);
      const id = /approval ([0-9a-z]{6})/.exec(card)?.[1];
      expect(id).toBeDefined();

      expect(await ben.type('/maint approvals')).toMatch(new RegExp(`• ${id} · restart: restart container ${container}.* · asked by ana · 0 of 1 approval · expires \\d\\d:\\d\\d UTC \\(in 1[45] min\\)`));
      expect(await ben.type(`/maint cancel ${id}`)).toBe(`✖ Only ana, who asked, or an admin may cancel request ${id}.\n`);
      const cancelled = await ana.type(`/maint cancel ${id}`);
      expect(cancelled).toMatch(/⊘ CANCELLED {2}Cancelled: restart/);
      expect(cancelled).toMatch(/Cancelled by ana at \d\d:\d\d UTC\. Nothing was run\./);
      expect(cancelled).toMatch(/requested by\s+ana at \d\d:\d\d UTC/);
      expect(cancelled).toContain(`Cancelled request ${id}`);
      expect(cancelled).not.toMatch(/[\uE000\uE001]/);
      expect(await ana.type('/maint approvals')).toBe('No approval requests are pending.\n');
      expect(await ana.type(`/maint restart ${container}`)).toMatch(/Approval needed: restart/);
    } finally {
      await Promise.all([ana.close(), ben.close()]);
    }
  }, 30_000);
});
