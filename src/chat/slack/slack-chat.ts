import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, SocketModeReceiver, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { ChatAccess, CommandHandler, RunningChat } from '../../core/chat.js';
import type { HomeSource } from '../../core/home.js';
import type { ChatPort } from '../../core/responder.js';
import { UserError } from '../../core/errors.js';
import { SlackActors } from './actors.js';
import { boltLogger } from './bolt-logger.js';
import { SlackChatPort } from './chat-port.js';
import { requireCredentials, verifyBotToken, type SlackCredentials } from './credentials.js';
import { registerListeners } from './listeners.js';
import type { SlackGrant, SlackSettings } from './settings.js';
import { slackErrorCode } from './slack-api.js';

/** What the Slack adapter needs to start. */
export interface SlackChatOptions {
  handler: CommandHandler;
  settings: SlackSettings;
  access: ChatAccess<SlackGrant>;
  logger: Logger;
  /** Socket Mode: how long to wait for a pong, and the unit of the reconnect back-off (Bolt's default 5000). */
  clientPingTimeoutMs?: number;
  /** HTTP mode: the interface to listen on (default: all). */
  httpHost?: string;
  /** When nothing was sent by then, a command is acknowledged with "Working on it…" (default 1000 ms). */
  fallbackAckMs?: number;
  /** What the App Home tab shows each person; without it the tab is left as Slack shows it. */
  home?: HomeSource;
}

/** A connected Slack adapter. */
export interface RunningSlackChat extends RunningChat {
  /** Socket Mode: a live WebSocket; HTTP mode: the server is listening. */
  connected(): boolean;
  /** HTTP mode: the port the events endpoint (`/slack/events`) is bound to. */
  httpPort?: number;
  /** Closes the socket or the server; afterwards nothing of the adapter keeps the process alive. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 3000;

/**
 * Starts the Slack adapter in Socket Mode or HTTP mode, as `settings.mode` says. Throws a `UserError` (a
 * message to print, no stack) when a token is missing or Slack refuses it.
 */
export async function startSlackChat(options: SlackChatOptions): Promise<RunningSlackChat> {
  const credentials = requireCredentials(options.settings);
  const logger = options.logger.child({ platform: 'slack' });
  const log = boltLogger(logger);
  const clientOptions: webApi.WebClientOptions = {
    ...(options.settings.api_url ? { slackApiUrl: options.settings.api_url } : {}),
    retryConfig: webApi.retryPolicies.fiveRetriesInFiveMinutes,
    logger: log,
  };
  const bot = await verifyBotToken(credentials.botToken, clientOptions);
  logger.info({ mode: credentials.mode, botUserId: bot.botUserId }, 'Slack bot token accepted');
  const common = { token: credentials.botToken, logger: log, clientOptions, tokenVerificationEnabled: false, botId: bot.botId, botUserId: bot.botUserId };

  const receiver = credentials.mode === 'socket' ? socketReceiver(credentials, options, clientOptions, log) : undefined;
  const app = credentials.mode === 'http' ? new App({ ...common, signingSecret: credentials.signingSecret }) : new App({ ...common, receiver });
  const actors = new SlackActors({ client: app.client, access: options.access, logger });
  registerListeners(app, { handler: options.handler, actors, logger, fallbackAckMs: options.fallbackAckMs, ...(options.home ? { home: options.home } : {}) });
  const port = new SlackChatPort(app.client);
  return receiver ? startSocketMode(app, receiver, port, logger) : startHttpMode(app, port, options, logger);
}

function socketReceiver(
  credentials: Extract<SlackCredentials, { mode: 'socket' }>,
  options: SlackChatOptions,
  clientOptions: webApi.WebClientOptions,
  logger: ReturnType<typeof boltLogger>,
): SocketModeReceiver {
  return new SocketModeReceiver({
    appToken: credentials.appToken,
    logger,
    ...(options.clientPingTimeoutMs ? { clientPingTimeout: options.clientPingTimeoutMs } : {}),
    installerOptions: { clientOptions },
  });
}

async function startSocketMode(app: App, receiver: SocketModeReceiver, port: ChatPort, logger: Logger): Promise<RunningSlackChat> {
  const client = receiver.client;
  let live = false;
  client.on('connected', () => {
    live = true;
    logger.info('Slack Socket Mode connected');
  });
  client.on('reconnecting', () => {
    live = false;
    logger.warn('Slack Socket Mode connection lost; reconnecting');
  });
  client.on('disconnected', () => {
    live = false;
  });
  try {
    await app.start();
  } catch (error) {
    await client.disconnect().catch(() => undefined);
    const code = slackErrorCode(error);
    throw new UserError(
      code
        ? `Slack: apps.connections.open refused SLACK_APP_TOKEN (${code}). Use an app-level token (xapp-…) with connections:write, and enable Socket Mode for the app.`
        : `Slack: could not open the Socket Mode connection (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
  live = true;
  return {
    port,
    connected: () => live,
    stop: async () => {
      live = false;
      await withinGrace(client.disconnect(), logger);
    },
  };
}

async function startHttpMode(app: App, port: ChatPort, options: SlackChatOptions, logger: Logger): Promise<RunningSlackChat> {
  let server: Server;
  try {
    server = (await app.start({ port: options.settings.port, ...(options.httpHost ? { host: options.httpHost } : {}) })) as Server;
  } catch (error) {
    throw new UserError(`Slack: cannot listen for Slack requests on port ${options.settings.port} (${error instanceof Error ? error.message : String(error)}). Set chat.slack.port.`);
  }
  const httpPort = (server.address() as AddressInfo).port;
  logger.info({ port: httpPort }, 'Slack HTTP mode listening on /slack/events');
  return {
    port,
    httpPort,
    connected: () => server.listening,
    stop: async () => {
      if (!server.listening) return;
      server.closeAllConnections();
      await withinGrace(app.stop(), logger);
    },
  };
}

async function withinGrace(closing: Promise<unknown>, logger: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), STOP_GRACE_MS);
  });
  const outcome = await Promise.race([closing.then(() => 'closed' as const), late]).catch((error: unknown) => {
    logger.warn({ err: error }, 'Slack connection did not close cleanly');
    return 'failed' as const;
  });
  clearTimeout(timer);
  if (outcome === 'late') logger.warn('Slack connection still closing after the grace period; moving on');
}
