import type { Logger } from 'pino';
import { ConsolePort } from './adapters/console/console-port.js';
import { startDiscordChat } from './adapters/discord/index.js';
import { startSlackChat } from './adapters/slack/index.js';
import { buildApp, type App } from './app.js';
import { enabledChats, type EnabledChats } from './config/environment.js';
import type { Config } from './config/schema.js';

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
  /** Closes chat connections first (no new commands), then the core. */
  stop(): Promise<void>;
}

/** Builds the core and connects every configured chat platform; the terminal chat is run by the caller. */
export async function startBot(config: Config, logger: Logger, terminal: { output: NodeJS.WritableStream; colour: boolean }): Promise<RunningBot> {
  const app = await buildApp(config, logger);
  const chats = enabledChats(config);
  const connections = new Map<string, RunningChat>();
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
  } catch (error) {
    await Promise.allSettled([...connections.values()].map((connection) => connection.stop()));
    await app.close();
    throw error;
  }
  if (chats.console) app.ports.set('console', new ConsolePort(terminal.output, terminal.colour));
  return {
    app,
    chats,
    connections,
    async stop() {
      await Promise.allSettled([...connections.values()].map((connection) => connection.stop()));
      await app.close();
    },
  };
}
