import { chatAdapters } from '../chat/index.js';
import type { AnyChatAdapter } from '../core/chat.js';
import type { Config } from './schema.js';

/** The variables of the store and the audit trail, read directly like the chat platforms' own. */
const coreVariables = ['DATABASE_URL', 'REDIS_URL'] as const;

/** The conventional variables read directly, without a `${NAME}` reference in the file. */
export const conventionalVariables: readonly string[] = [...chatAdapters.flatMap((adapter) => Object.keys(adapter.environment)), ...coreVariables];

/** Fills settings the file leaves empty from the conventional environment variables; the file wins. */
export function applyConventionalVariables(config: Config, env: NodeJS.ProcessEnv, adapters: readonly AnyChatAdapter[] = chatAdapters): Config {
  const value = (name: string): string | undefined => (env[name] ? env[name] : undefined);
  const chat: Record<string, Record<string, unknown>> = { ...(config.chat as unknown as Record<string, Record<string, unknown>>) };
  for (const adapter of adapters) {
    const settings = { ...chat[adapter.platform] };
    for (const [variable, key] of Object.entries(adapter.environment)) settings[key] ??= value(variable);
    chat[adapter.platform] = settings;
  }
  return {
    ...config,
    chat: chat as unknown as Config['chat'],
    store: { ...config.store, redis_url: config.store.redis_url ?? value('REDIS_URL') },
    audit: { ...config.audit, database_url: config.audit.database_url ?? value('DATABASE_URL') },
  };
}
