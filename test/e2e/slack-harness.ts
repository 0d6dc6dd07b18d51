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
import type { Metrics } from '../../src/observability/metrics.js';
import { createLogger } from '../../src/logging/logger.js';
import type { Store } from '../../src/store/store.js';
import { expect } from 'vitest';
import { startFakeSlack, type DeliveredEnvelope, type FakeSlack } from '../fakes/slack/index.js';
import { CommandLog } from '../support/command-log.js';
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

export { CommandLog, command } from '../support/command-log.js';

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

/** What a test file may add to the default harness: more targets and grants, approval rules, its own store, audit trail or metrics. */
export interface SlackHarnessOptions {
  /**
   * Merged over the default targets (`local-postgres` and `local-redis`, on the harness's own servers); a
   * function receives those servers, e.g. to give `local-postgres` a backup block.
   */
  targets?: Record<string, unknown> | ((own: { postgres: OwnPostgres; redis: OwnRedis }) => Record<string, unknown>);
  /** Added to the grant that makes the ops user group operator. */
  grants?: unknown[];
  /** `approvals` in the config. */
  approvals?: Record<string, unknown>;
  /** `notify` in the config: the audiences runbooks' notify steps post to. */
  notify?: Record<string, unknown>;
  store?: Store;
  audit?: AuditTrail;
  metrics?: Metrics;
  /** The clock of the rate-limit windows. */
  now?: () => number;
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
    ...(options.approvals ? { approvals: options.approvals } : {}),
    ...(options.notify ? { notify: options.notify } : {}),
    targets: {
      postgres: [{ name: 'local-postgres', url: postgres.url() }],
      redis: [{ name: 'local-redis', url: redis.url }],
      ...(typeof options.targets === 'function' ? options.targets({ postgres, redis }) : options.targets),
    },
  });
  const logger = createLogger({ level: 'silent', pretty: false });
  const app = await buildApp(config, logger, { folders: await definitionsWithOperatorCommand(dir), store: options.store, audit: options.audit, metrics: options.metrics, now: options.now });
  const commands = new CommandLog(WAIT_MS);
  const chat = await startSlackChat({
    handler: commands.wrap(app.router),
    settings: config.chat.slack,
    access: accessFor(slackChat, config.access),
    logger,
    clientPingTimeoutMs: 1000,
    httpHost: '127.0.0.1',
    fallbackAckMs: FALLBACK_ACK_MS,
    home: app.home,
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

/** Slash commands are acknowledged at once and with nothing, before the bot reads them: Slack shows nothing for the ack itself. */
export function expectEmptyAck(delivered: DeliveredEnvelope): void {
  expect(delivered.ack.payload ?? {}).toEqual({});
}

/** The requester's first private answer to a slash command, from its `response_url`, shaped as the message payload (with `response_type`). */
export async function privateAnswer(fake: FakeSlack, delivered: Pick<DeliveredEnvelope, 'responseUrlId'>): Promise<Record<string, unknown> & { response_type: string; text?: unknown; blocks?: unknown }> {
  const post = await fake.waitForResponse(delivered.responseUrlId);
  return { response_type: post.responseType, ...post.body };
}
