import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessFor } from '../../src/access/roles.js';
import { slackChat } from '../../src/chat/slack/index.js';
import type { SlackBlock } from '../../src/chat/slack/blocks.js';
import { startSlackChat, type RunningSlackChat } from '../../src/chat/slack/slack-chat.js';
import { buildApp, shippedDefinitions, type App } from '../../src/app.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import type { AuditTrail } from '../../src/audit/audit-trail.js';
import type { Message, Report } from '../../src/core/report.js';
import type { MessageHandle, Responder } from '../../src/core/responder.js';
import { createLogger } from '../../src/logging/logger.js';
import type { Store } from '../../src/store/store.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack/index.js';

export const BOT_TOKEN = 'xoxb-e2e';
export const APP_TOKEN = 'xapp-e2e';
export const SIGNING_SECRET = 'e2e-signing-secret';
/** A user in the ops user group, which access.grants makes operator. */
export const OPERATOR = 'U0OPSBOB';

/** One bot, Slack adapter and fake Slack for a test file; `close` stops them in the right order. */
export interface SlackHarness {
  fake: FakeSlack;
  chat: RunningSlackChat;
  app: App;
  config: Config;
  /** HTTP mode: the bot's events endpoint. */
  eventsUrl: string;
  close(): Promise<void>;
}

/** Shipped commands plus `deep-check`, which only operators may run, so a denial can be shown. */
async function definitionsWithOperatorCommand(dir: string): Promise<{ commands: string; runbooks: string }> {
  const commands = join(dir, 'commands');
  await mkdir(commands);
  for (const file of await readdir(shippedDefinitions.commands)) await copyFile(join(shippedDefinitions.commands, file), join(commands, file));
  await writeFile(
    join(commands, 'deep-check.yaml'),
    ['name: deep-check', 'summary: The health report, for operators only', 'roles: [operator, admin]', 'runbook: health', ''].join('\n'),
  );
  return { commands, runbooks: shippedDefinitions.runbooks };
}

/** What a test file may add to the default harness: more targets and grants, its own store or audit trail. */
export interface SlackHarnessOptions {
  /** Merged over the default targets (local PostgreSQL and Redis). */
  targets?: Record<string, unknown>;
  /** Added to the grant that makes the ops user group operator. */
  grants?: unknown[];
  store?: Store;
  audit?: AuditTrail;
}

/** Starts the fake Slack, the core on the local PostgreSQL and Redis, and the Slack adapter in `mode`. */
export async function startSlackHarness(mode: 'socket' | 'http', options: SlackHarnessOptions = {}): Promise<SlackHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'maintbot-slack-'));
  const fake = await startFakeSlack({ usergroups: { S0OPS: [OPERATOR] }, users: { U0ALICE: { name: 'alice' } } });
  const config = configSchema.parse({
    chat: {
      slack: { mode, bot_token: BOT_TOKEN, app_token: APP_TOKEN, signing_secret: SIGNING_SECRET, api_url: fake.apiUrl, port: 0 },
      console: { enabled: 'off' },
    },
    audit: { file: join(dir, 'audit.jsonl') },
    access: { default_role: 'viewer', grants: [{ role: 'operator', slack: { groups: ['S0OPS'] } }, ...(options.grants ?? [])] },
    targets: {
      postgres: [{ name: 'local-postgres', url: 'postgres://postgres@127.0.0.1:5432/postgres' }],
      redis: [{ name: 'local-redis', url: 'redis://127.0.0.1:6379' }],
      ...options.targets,
    },
  });
  const logger = createLogger({ level: 'silent', pretty: false });
  const app = await buildApp(config, logger, { folders: await definitionsWithOperatorCommand(dir), store: options.store, audit: options.audit });
  const chat = await startSlackChat({
    handler: app.router,
    settings: config.chat.slack,
    access: accessFor(slackChat, config.access),
    logger,
    clientPingTimeoutMs: 1000,
    httpHost: '127.0.0.1',
  });
  app.outbound.connect(chat.port);
  return {
    fake,
    chat,
    app,
    config,
    eventsUrl: `http://127.0.0.1:${chat.httpPort ?? 0}/slack/events`,
    close: async () => {
      await chat.stop();
      await fake.close();
      await app.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `/maint health` straight through the router, as the reference the Slack answer must match. */
export async function healthDirectly(app: App): Promise<Report> {
  const seen: Message[] = [];
  const responder: Responder = {
    reply: async (message) => {
      seen.push(message);
      return { platform: 'console', id: String(seen.length) } satisfies MessageHandle;
    },
    update: async (_handle, message) => {
      seen.push(message);
    },
    replyPrivately: async (message) => {
      seen.push(message);
    },
  };
  await app.router.handle(
    { id: 'reference', platform: 'console', actor: { id: 'ref', name: 'ref', roles: ['viewer'] }, channel: { id: 'ref' }, text: 'health', origin: 'typed', receivedAt: new Date() },
    responder,
  );
  const report = seen.find((message): message is Report => message.kind === 'report');
  if (!report) throw new Error(`no report from the router: ${JSON.stringify(seen)}`);
  return report;
}

/** The plain texts of every block, for loose assertions on what a reader sees. */
export function blockTexts(blocks: unknown): string {
  return JSON.stringify(blocks ?? []);
}

/** The `value` (the command) of the button with this label in Block Kit blocks. */
export function buttonValue(blocks: unknown, label: string): string | undefined {
  for (const block of (blocks ?? []) as SlackBlock[]) {
    if (block.type !== 'actions') continue;
    for (const element of block.elements as Array<{ text?: { text?: string }; value?: string }>) {
      if (element.text?.text === label) return element.value;
    }
  }
  return undefined;
}
