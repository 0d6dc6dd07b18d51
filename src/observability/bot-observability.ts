import type { Logger } from 'pino';
import { chatOn, type EnabledChats } from '../config/chat.js';
import type { Config } from '../config/schema.js';
import type { Store } from '../store/store.js';
import type { ObservabilityServer, PostEndpoint } from './observability-server.js';
import type { ConnectionState, PrometheusMetrics } from './prometheus-metrics.js';
import { checkReadiness, storeAnswers } from './readiness.js';

/** The observability endpoints of a running bot. */
export interface BotObservability {
  port: number;
  /** From now on `/readyz` answers 503 "shutting down"; `/healthz` and `/metrics` still answer. */
  markStopping(): void;
  close(): Promise<void>;
}

/** Whether the bot serves `/healthz`, `/readyz` and `/metrics`: `auto` means unless the terminal chat alone runs (Slack, Discord, or headless). */
export function observabilityEnabled(config: Config, chats: EnabledChats): boolean {
  const { enabled } = config.observability;
  return enabled === 'on' || (enabled === 'auto' && (chatOn(chats, 'network') || !chatOn(chats, 'terminal')));
}

/** Serves the endpoints for a bot with these chat connections and this store, and the given POST endpoints. */
export async function startBotObservability(options: {
  config: Config;
  metrics: PrometheusMetrics;
  connections: ReadonlyMap<string, ConnectionState>;
  store: Store;
  logger: Logger;
  /** POST endpoints by path, e.g. the Alertmanager intake. */
  posts?: ReadonlyMap<string, PostEndpoint>;
}): Promise<BotObservability> {
  let stopping = false;
  const chats = (): Iterable<[string, ConnectionState]> => options.connections.entries();
  options.metrics.watchChats(chats);
  options.metrics.watchStore(options.store.kind, () => storeAnswers(options.store, 1000));
  const { startObservabilityServer } = await import('./observability-server.js');
  const server: ObservabilityServer = await startObservabilityServer({
    host: options.config.observability.host,
    port: options.config.observability.port,
    logger: options.logger,
    readiness: async () => {
      const readiness = await checkReadiness({ chats, store: options.store });
      if (!stopping) return readiness;
      return { ready: false, down: [{ component: 'maintbot', reason: 'shutting down' }, ...readiness.down] };
    },
    metrics: async () => ({ contentType: options.metrics.contentType, text: await options.metrics.text() }),
    ...(options.posts ? { posts: options.posts } : {}),
  });
  return {
    port: server.port,
    markStopping: () => {
      stopping = true;
    },
    close: () => server.close(),
  };
}
