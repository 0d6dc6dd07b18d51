import type { Logger } from 'pino';
import { accessFor } from './access/roles.js';
import { buildApp, type App } from './app.js';
import { chatAdapters } from './chat/index.js';
import { enabledChats, type EnabledChats } from './config/chat.js';
import type { Config } from './config/schema.js';
import type { AnyChatAdapter, RunningChat, Terminal } from './core/chat.js';
import type { Platform } from './core/invocation.js';
import { observabilityEnabled, startBotObservability, type BotObservability } from './observability/bot-observability.js';
import { startHeartbeat } from './observability/heartbeat.js';
import { checkReadiness } from './observability/readiness.js';
import { parseDuration } from './core/duration.js';
import type { PostEndpoint } from './observability/observability-server.js';
import { alertmanagerIntake, alertmanagerIntakePath } from './alerts/alertmanager-intake.js';
import { intakeDestination } from './alerts/intake-config.js';

/** The whole running bot: the core and its chat connections. */
export interface RunningBot {
  app: App;
  chats: EnabledChats;
  /** Every started chat platform, the terminal chat included. */
  connections: Map<Platform, RunningChat>;
  /** `/healthz`, `/readyz` and `/metrics`, when enabled. */
  observability?: BotObservability;
  /**
   * Stops gracefully, once however often it is called: refuses new commands, lets running steps finish
   * or interrupts them, then closes chat connections, the endpoints and the core.
   */
  stop(): Promise<void>;
}

/** Builds the core and starts every enabled chat platform; the caller runs the terminal chat's conversation, if any. */
export async function startBot(config: Config, logger: Logger, terminal: Terminal): Promise<RunningBot> {
  const chats = enabledChats(config);
  const metrics = observabilityEnabled(config, chats) ? new (await import('./observability/prometheus-metrics.js')).PrometheusMetrics() : undefined;
  const app = await buildApp(config, logger, { metrics });
  const connections = new Map<Platform, RunningChat>();
  const settings = config.chat as unknown as Record<Platform, unknown>;
  const adapters: readonly AnyChatAdapter[] = chatAdapters;
  let observability: BotObservability | undefined;
  try {
    for (const adapter of adapters) {
      if (!chats[adapter.platform]) continue;
      const running = await adapter.start({
        settings: settings[adapter.platform],
        access: accessFor(adapter, config.access),
        handler: app.router,
        commands: app.commands,
        completions: app.completions,
        terminal,
        logger,
        home: app.home,
      });
      connections.set(adapter.platform, running);
      app.outbound.connect(running.port);
    }
    metrics?.watchBackups(() => app.systems.backupFacts());
    if (metrics) observability = await startBotObservability({ config, metrics, connections: networkConnections(connections, adapters), store: app.store, logger, posts: intakeEndpoints(config, app, logger) });
    else if (config.alerts.intake?.token) logger.warn('alerts.intake.token is set but the observability endpoints are off, so POST /alerts/alertmanager is not served (set observability.enabled: on)');
  } catch (error) {
    await Promise.allSettled([...connections.values()].map((connection) => connection.stop()));
    await app.close();
    throw error;
  }
  await app.scheduler.start();
  app.escalator.start();
  const heartbeat = config.heartbeat?.url
    ? startHeartbeat({
        url: config.heartbeat.url,
        everyMs: parseDuration(config.heartbeat.every)!,
        readiness: () => checkReadiness({ chats: () => networkConnections(connections, adapters).entries(), store: app.store }),
        logger,
      })
    : undefined;
  let stopped: Promise<void> | undefined;
  const stopOnce = async (): Promise<void> => {
    await heartbeat?.stop();
    await app.scheduler.stop();
    await app.escalator.stop();
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

/** `POST /alerts/alertmanager` when `alerts.intake.token` is set. */
function intakeEndpoints(config: Config, app: App, logger: Logger): Map<string, PostEndpoint> {
  const intake = config.alerts.intake;
  if (!intake?.token) return new Map();
  const { channels, timeZone } = intakeDestination(intake, config.schedules);
  const endpoint = alertmanagerIntake({
    token: intake.token,
    maxBodyBytes: intake.max_body_bytes,
    desk: app.alerts,
    channels,
    timeZone,
    logger: logger.child({ component: 'alert-intake' }),
  });
  return new Map([[alertmanagerIntakePath, endpoint]]);
}

/** The connections readiness and `maintbot_chat_connected` watch: those over the network, not the terminal. */
function networkConnections(connections: ReadonlyMap<Platform, RunningChat>, adapters: readonly AnyChatAdapter[]): Map<Platform, RunningChat> {
  const network = new Set(adapters.filter((adapter) => adapter.reach === 'network').map((adapter) => adapter.platform));
  return new Map([...connections].filter(([platform]) => network.has(platform)));
}
