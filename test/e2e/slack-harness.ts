import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accessFor } from '../../src/access/roles.js';
import { slackChat } from '../../src/chat/slack/index.js';
import type { SlackBlock } from '../../src/chat/slack/blocks.js';
import { startSlackChat, type RunningSlackChat } from '../../src/chat/slack/slack-chat.js';
import { buildApp, shippedDefinitions, type App } from '../../src/app.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import type { CommandHandler } from '../../src/core/chat.js';
import type { AuditTrail } from '../../src/audit/audit-trail.js';
import type { Invocation } from '../../src/core/invocation.js';
import { createLogger } from '../../src/logging/logger.js';
import type { Store } from '../../src/store/store.js';
import { startFakeSlack, type FakeSlack } from '../fakes/slack/index.js';
import { Journal } from '../fakes/slack/journal.js';
import { startOwnPostgres, startOwnRedis, type OwnPostgres, type OwnRedis } from '../support/services.js';

export const BOT_TOKEN = 'xoxb-e2e';
export const APP_TOKEN = 'xapp-e2e';
export const SIGNING_SECRET = 'e2e-signing-secret';
/** A user in the ops user group, which access.grants makes operator. */
export const OPERATOR = 'U0OPSBOB';

/** Generous deadline of every wait on the fake or on a command: a sign of a hang, not a speed limit. */
const WAIT_MS = 20_000;
/**
 * Far beyond any wait, so the adapter's "Working on it…" fallback never acks in these tests: every ack seen
 * comes from the command's own first answer (the fallback itself is proven in slack-start.test.ts).
 */
const FALLBACK_ACK_MS = 10 * 60_000;

/** The commands the adapter handed to the router since the last `clear()`: begun, and finished (answered or failed). */
export class CommandLog {
  private readonly begunLog = new Journal<Invocation>(describeInvocation);
  private readonly finishedLog = new Journal<Invocation>(describeInvocation);

  /** `handler`, logging each command as it begins and when its handling is over. */
  wrap(handler: CommandHandler): CommandHandler {
    return {
      handle: async (invocation, responder) => {
        this.begunLog.add(invocation);
        try {
          return await handler.handle(invocation, responder);
        } finally {
          this.finishedLog.add(invocation);
        }
      },
    };
  }

  begun(): Invocation[] {
    return this.begunLog.all();
  }

  finished(): Invocation[] {
    return this.finishedLog.all();
  }

  /** The first finished command matching `matches`, already logged or still to come: the sentinel after which nothing more of it can happen. */
  waitForFinished(matches: (invocation: Invocation) => boolean, timeoutMs = WAIT_MS): Promise<Invocation> {
    return this.finishedLog.waitFor(matches, timeoutMs, 'a finished command matching the predicate');
  }

  clear(): void {
    this.begunLog.clear();
    this.finishedLog.clear();
  }
}

function describeInvocation(invocation: Invocation): string {
  return `${invocation.actor.name} (${invocation.origin}): ${invocation.text}`;
}

/** Matches the command `text`, and when given, only from the user `userId`. */
export function command(text: string, userId?: string): (invocation: Invocation) => boolean {
  return (invocation) => invocation.text === text && (userId === undefined || invocation.actor.id === userId);
}

/** One bot, Slack adapter and fake Slack for a test file; `close` stops them in the right order. */
export interface SlackHarness {
  fake: FakeSlack;
  chat: RunningSlackChat;
  app: App;
  config: Config;
  /** HTTP mode: the bot's events endpoint. */
  eventsUrl: string;
  /** The cluster of this harness alone, checked as `local-postgres`. */
  postgres: OwnPostgres;
  /** The redis-server of this harness alone, checked as `local-redis`. */
  redis: OwnRedis;
  /** What the adapter handed to the router since the last `reset()`. */
  commands: CommandLog;
  /** Forgets the fake's recorded calls and the logged commands. */
  reset(): void;
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
  /** Merged over the default targets (`local-postgres` and `local-redis`, on the harness's own servers). */
  targets?: Record<string, unknown>;
  /** Added to the grant that makes the ops user group operator. */
  grants?: unknown[];
  store?: Store;
  audit?: AuditTrail;
  /** `approvals:` of the config (notify, rules…). */
  approvals?: Record<string, unknown>;
}

/** Starts the fake Slack, a PostgreSQL cluster and a redis-server of its own, the core checking those, and the Slack adapter in `mode`. */
export async function startSlackHarness(mode: 'socket' | 'http', options: SlackHarnessOptions = {}): Promise<SlackHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'maintbot-slack-'));
  const [postgres, redis] = await Promise.all([startOwnPostgres(), startOwnRedis()]);
  const fake = await startFakeSlack({
    usergroups: { S0OPS: [OPERATOR] },
    users: { U0ALICE: { name: 'alice' } },
    ackTimeoutMs: WAIT_MS,
    waitTimeoutMs: WAIT_MS,
  });
  const config = configSchema.parse({
    chat: {
      slack: { mode, bot_token: BOT_TOKEN, app_token: APP_TOKEN, signing_secret: SIGNING_SECRET, api_url: fake.apiUrl, port: 0 },
      console: { enabled: 'off' },
    },
    audit: { file: join(dir, 'audit.jsonl') },
    access: { default_role: 'viewer', grants: [{ role: 'operator', slack: { groups: ['S0OPS'] } }, ...(options.grants ?? [])] },
    targets: {
      postgres: [{ name: 'local-postgres', url: postgres.url() }],
      redis: [{ name: 'local-redis', url: redis.url }],
      ...options.targets,
    },
    ...(options.approvals ? { approvals: options.approvals } : {}),
  });
  const logger = createLogger({ level: 'silent', pretty: false });
  const app = await buildApp(config, logger, { folders: await definitionsWithOperatorCommand(dir), store: options.store, audit: options.audit });
  const commands = new CommandLog();
  const chat = await startSlackChat({
    handler: commands.wrap(app.router),
    settings: config.chat.slack,
    access: accessFor(slackChat, config.access),
    logger,
    clientPingTimeoutMs: 1000,
    httpHost: '127.0.0.1',
    fallbackAckMs: FALLBACK_ACK_MS,
  });
  app.outbound.connect(chat.port);
  return {
    fake,
    chat,
    app,
    config,
    eventsUrl: `http://127.0.0.1:${chat.httpPort ?? 0}/slack/events`,
    postgres,
    redis,
    commands,
    reset: () => {
      fake.reset();
      commands.clear();
    },
    close: async () => {
      await chat.stop();
      await fake.close();
      await app.close();
      await Promise.all([postgres.stop(), redis.stop()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
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
