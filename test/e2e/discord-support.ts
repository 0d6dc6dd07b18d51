import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { accessFor } from '../../src/access/roles.js';
import { startDiscordChat, type RunningDiscordChat } from '../../src/chat/discord/discord-chat.js';
import { discordChat } from '../../src/chat/discord/index.js';
import { buildApp, shippedDefinitions, type App } from '../../src/app.js';
import type { AuditTrail } from '../../src/audit/audit-trail.js';
import { configSchema, type Config } from '../../src/config/schema.js';
import type { CommandHandler } from '../../src/core/chat.js';
import type { Invocation } from '../../src/core/invocation.js';
import type { Metrics } from '../../src/observability/metrics.js';
import { createLogger } from '../../src/logging/logger.js';
import type { Store } from '../../src/store/store.js';
import { afterAll, beforeAll } from 'vitest';
import { DISCORD_FIXTURE, startFakeDiscord, type FakeDiscord } from '../fakes/discord/index.js';
import { CommandLog } from '../support/command-log.js';
import { startOwnPostgres, startOwnRedis, type OwnPostgres, type OwnRedis } from '../support/services.js';

/** The fallback deferral of every test bot that does not test the fallback itself. */
const TEST_FALLBACK_DEFER_MS = 10 * 60_000;

export const TOKEN = 'MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake.not-a-secret';

/** The PostgreSQL cluster and redis-server of one test file, which the bot's local-postgres and local-redis check. */
export interface OwnServices {
  postgres: OwnPostgres;
  redis: OwnRedis;
}

/** Starts the file's own PostgreSQL cluster and redis-server before its tests and stops them after; returns their getter. */
export function useOwnServices(): () => OwnServices {
  let services: OwnServices | undefined;
  beforeAll(async () => {
    const [postgres, redis] = await Promise.all([startOwnPostgres(), startOwnRedis()]);
    services = { postgres, redis };
  }, 60_000);
  afterAll(async () => {
    await Promise.all([services?.postgres.stop(), services?.redis.stop()]);
  });
  return () => {
    if (!services) throw new Error('the own services are not started: call useOwnServices() at the top of the test file');
    return services;
  };
}

/** local-postgres and local-redis on the test's own servers; none without them. */
function localTargets(services: OwnServices | undefined): Record<string, unknown> {
  if (!services) return {};
  return {
    postgres: [{ name: 'local-postgres', url: services.postgres.url() }],
    redis: [{ name: 'local-redis', url: services.redis.url }],
  };
}

/** A config for the fake's guild, checking the test's own PostgreSQL and Redis when given. */
export function discordConfig(
  fake: FakeDiscord,
  extra: { grants?: unknown[]; auditFile: string; services?: OwnServices; targets?: Record<string, unknown>; approvals?: Record<string, unknown>; discord?: Record<string, unknown>; rateLimits?: Record<string, unknown> },
): Config {
  return configSchema.parse({
    log: { level: 'silent' },
    audit: { file: extra.auditFile },
    ...(extra.approvals ? { approvals: extra.approvals } : {}),
    ...(extra.rateLimits ? { rate_limits: extra.rateLimits } : {}),
    chat: { discord: { enabled: 'on', token: TOKEN, application_id: fake.applicationId, api_url: fake.apiBase, guilds: [DISCORD_FIXTURE.guildId], ...extra.discord } },
    access: { default_role: 'viewer', grants: extra.grants ?? [] },
    targets: { ...localTargets(extra.services), ...extra.targets },
  });
}

/** A bot wired like the real one: the core from buildApp, the Discord adapter, against the fake. */
export interface RunningBot {
  fake: FakeDiscord;
  app: App;
  chat: RunningDiscordChat;
  /** Every invocation the router received, in order. */
  invocations: Invocation[];
  /** The commands handled, begun and finished: a finished one will post nothing more. */
  commands: CommandLog;
  /** HTTP mode: the bot's Interactions Endpoint URL. */
  interactionsUrl?: string;
  close(): Promise<void>;
}

/** How a test file shapes its bot; every field is optional. */
export interface BotOptions {
  grants?: unknown[];
  /** File name → YAML, written next to the shipped commands. */
  extraCommands?: Record<string, string>;
  /** More shipped command files to load besides health.yaml and help.yaml, e.g. `restart.yaml`. */
  shippedCommands?: string[];
  /** The servers local-postgres and local-redis check (see `useOwnServices`); without them there are no such targets. */
  services?: OwnServices;
  /** Merged over the default targets (local-postgres and local-redis on `services`). */
  targets?: Record<string, unknown>;
  /** `approvals` in the config. */
  approvals?: Record<string, unknown>;
  store?: Store;
  audit?: AuditTrail;
  metrics?: Metrics;
  handler?: CommandHandler;
  /**
   * The adapter's private fallback deferral; by default far beyond any test, so that a command's first
   * answer is always its own, however loaded the machine. Tests of the fallback pass the shipped 1000 ms.
   */
  fallbackDeferMs?: number;
  /**
   * `http`: Discord over HTTP interactions (the fake's public key, a free port on 127.0.0.1); a bot that
   * started its own fake has the fake deliver to it. Default `gateway`.
   */
  mode?: 'gateway' | 'http';
  /** A fake Discord shared with other bots (replicas); it outlives this bot. Default: a fake of the bot's own. */
  fake?: FakeDiscord;
  /** `rate_limits` in the config. */
  rateLimits?: Record<string, unknown>;
}

/**
 * Starts the fake Discord and the bot on it, with the shipped health and help commands plus
 * `shippedCommands` and `extraCommands` (file name → YAML) in a temporary commands folder.
 */
export async function startBot(options: BotOptions = {}): Promise<RunningBot> {
  const dir = await mkdtemp(join(tmpdir(), 'maintbot-discord-'));
  await mkdir(join(dir, 'commands'));
  for (const name of ['health.yaml', 'help.yaml', ...(options.shippedCommands ?? [])]) await copyFile(resolve(shippedDefinitions.commands, name), join(dir, 'commands', name));
  for (const [name, text] of Object.entries(options.extraCommands ?? {})) await writeFile(join(dir, 'commands', name), text);
  const ownFake = options.fake === undefined;
  const fake = options.fake ?? (await startFakeDiscord({ token: TOKEN, heartbeatIntervalMs: 200, waitTimeoutMs: 20_000 }));
  const closeFake = async (): Promise<void> => {
    if (ownFake) await fake.close();
  };
  const http = options.mode === 'http' ? { mode: 'http', public_key: fake.publicKey, port: 0 } : undefined;
  const config = discordConfig(fake, { grants: options.grants, auditFile: join(dir, 'audit.jsonl'), services: options.services, targets: options.targets, approvals: options.approvals, discord: http, rateLimits: options.rateLimits });
  const logger = createLogger({ level: 'silent', pretty: false });
  const app = await buildApp(config, logger, { folders: { ...shippedDefinitions, commands: join(dir, 'commands') }, store: options.store, audit: options.audit, metrics: options.metrics });
  const invocations: Invocation[] = [];
  const commands = new CommandLog();
  const handler: CommandHandler = commands.wrap({
    handle: (invocation, responder) => {
      invocations.push(invocation);
      return (options.handler ?? app.router).handle(invocation, responder);
    },
  });
  const chat = await startDiscordChat({
    handler,
    commands: app.commands,
    completions: app.completions,
    settings: config.chat.discord,
    access: accessFor(discordChat, config.access),
    logger,
    fallbackDeferMs: options.fallbackDeferMs ?? TEST_FALLBACK_DEFER_MS,
    httpHost: '127.0.0.1',
  }).catch(async (error: unknown) => {
    await app.close();
    await closeFake();
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  app.outbound.connect(chat.port);
  const interactionsUrl = chat.httpPort === undefined ? undefined : `http://127.0.0.1:${chat.httpPort}/discord/interactions`;
  if (interactionsUrl && ownFake) fake.deliverOverHttp(interactionsUrl);
  return {
    fake,
    app,
    chat,
    invocations,
    commands,
    ...(interactionsUrl ? { interactionsUrl } : {}),
    close: async () => {
      await chat.stop();
      await app.close();
      await closeFake();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
