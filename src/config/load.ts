import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyConventionalVariables } from './environment.js';
import { configSchema, type Config } from './schema.js';
import { loadYamlFile } from './yaml-file.js';

/** The repository root, where `config/`, `commands/` and `runbooks/` live (also inside the built image). */
export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The embedded default config: the terminal chat and the local host, PostgreSQL and Redis. */
export const defaultConfigPath = resolve(projectRoot, 'config', 'default.yaml');

/** Where the config comes from: `--config PATH`, else `MAINTBOT_CONFIG`, else the embedded default. */
export function chooseConfigPath(cliPath: string | undefined, env: NodeJS.ProcessEnv): string {
  const chosen = cliPath ?? env.MAINTBOT_CONFIG;
  return chosen ? resolve(chosen) : defaultConfigPath;
}

/** Reads, expands and validates a config file. Throws `ConfigError` listing every problem. */
export async function loadConfig(path: string, env: NodeJS.ProcessEnv): Promise<Config> {
  const config = await loadYamlFile(path, configSchema, { env });
  return applyConventionalVariables(config, env);
}
