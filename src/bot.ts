import type { Logger } from 'pino';
import { ConsolePort } from './chat/console/console-port.js';
import { startDiscordChat } from './chat/discord/index.js';
import { startSlackChat } from './chat/slack/index.js';
import { buildApp, type App } from './app.js';
import { enabledChats, type EnabledChats } from './config/environment.js';
import type { Config } from './config/schema.js';
import { observabilityEnabled, startBotObservability, type BotObservability } from './observability/bot-observability.js';
import { PrometheusMetrics } from './observability/prometheus-metrics.js';

/** A chat platform connection as the process sees it. */
export interface RunningChat {
  connected(): boolean;
  stop(): Promise<void>;
}

/** The whole running bot: the core and its chat connections. */
export interface RunningBot {
  app: App;
  chats: EnabledChats;
  connections: Map<string, RunningChat>;
  /** `/healthz`, `/readyz` and `/metrics`, when enabled. */
  observability?: BotObservability;
  /**
   * Stops gracefully, once however often it is called: refuses new commands, lets running steps finish
   * or interrupts them, then closes chat connections, the endpoints and the core.
   */
  stop(): Promise<void>;
}

/** Builds the core and connects every configured chat platform; the terminal chat is run by the caller. */
export async function startBot(config: Config, logger: Logger, terminal: { output: NodeJS.WritableStream; colour: boolean }): Promise<RunningBot> {
  const chats = enabledChats(config);
  const metrics = observabilityEnabled(config, chats) ? new PrometheusMetrics() : undefined;
  const app = await buildApp(config, logger, { metrics });
  const connections = new Map<string, RunningChat>();
  let observability: BotObservability | undefined;
  try {
    if (chats.slack) {
      const slack = await startSlackChat({ handler: app.router, settings: config.chat.slack, access: config.access, logger });
      connections.set('slack', slack);
      app.ports.set('slack', slack.port);
    }
    if (chats.discord) {
      const discord = await startDiscordChat({
        handler: app.router,
        commands: app.commands,
        targetNames: app.targetNames,
        settings: config.chat.discord,
        access: config.access,
        logger,
      });
      connections.set('discord', discord);
      app.ports.set('discord', discord.port);
    }
    if (metrics) observability = await startBotObservability({ config, metrics, connections, store: app.store, logger });
  } catch (error) {
    await Promise.allSettled([...connections.values()].map((connection) => connection.stop()));
    await app.close();
    throw error;
  }
  if (chats.console) app.ports.set('console', new ConsolePort(terminal.output, terminal.colour));
  await app.scheduler.start();
  let stopped: Promise<void> | undefined;
  const stopOnce = async (): Promise<void> => {
    await app.scheduler.stop();
    observability?.markStopping();
    await app.drain();
    await Promise.allSettled([...connections.values()].map((connection) => connection.stop()));
    await observability?.close();
    await app.close();
  };
  return {
    app,
    chats,
    connections,
    observability,
    stop: () => (stopped ??= stopOnce()),
  };
}
