import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { noChatProblem } from './chat.js';
import { applyConventionalVariables } from './environment.js';
import { approvalRuleProblems, runbookNamesIn } from './approval-rule-names.js';
import { configSchema, type Config } from './schema.js';
import { intakeDestination } from '../alerts/intake-config.js';
import { loadYamlFile, type ValueProblem } from './yaml-file.js';

/**
 * The repository root, where `config/`, `commands/` and `runbooks/` live (also inside the built image): the
 * nearest folder above this module with a package.json, so it holds in src/config/ and in dist/'s bundle alike.
 */
export const projectRoot = nearestPackageRoot(dirname(fileURLToPath(import.meta.url)));

function nearestPackageRoot(start: string): string {
  for (let folder = start; ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'package.json'))) return folder;
    if (dirname(folder) === folder) return resolve(start, '..', '..');
  }
}

/** The embedded default config: the terminal chat and the local host, PostgreSQL and Redis. */
export const defaultConfigPath = resolve(projectRoot, 'config', 'default.yaml');

/** Where the config comes from: `--config PATH`, else `MAINTBOT_CONFIG`, else the embedded default. */
export function chooseConfigPath(cliPath: string | undefined, env: NodeJS.ProcessEnv): string {
  const chosen = cliPath ?? env.MAINTBOT_CONFIG;
  return chosen ? resolve(chosen) : defaultConfigPath;
}

/** What the config is checked against beyond its schema. */
export interface ConfigContext {
  /** The runbooks `approvals.rules` may name; those of `runbooks/` when absent. */
  runbooks?: readonly string[];
}

const whenEmpty = 'write at least the settings you change (every key is in config/example.yaml), or start without --config and MAINTBOT_CONFIG to use the embedded config/default.yaml';

/**
 * Reads, expands and validates a config file: its schema, that `approvals.rules` names runbooks, and that
 * some chat starts (or `chat.headless` says none should). Throws `ConfigError` listing every problem.
 */
export async function loadConfig(path: string, env: NodeJS.ProcessEnv, context: ConfigContext = {}): Promise<Config> {
  const runbooks = context.runbooks ?? (await runbookNamesIn(resolve(projectRoot, 'runbooks')));
  const config = await loadYamlFile(path, configSchema, {
    env,
    whenEmpty,
    check: (raw, value) => {
      const problems: ValueProblem[] = approvalRuleProblems(raw, runbooks);
      const noChat = value && noChatProblem(applyConventionalVariables(value, env));
      if (noChat) problems.push({ path: ['chat', 'console', 'enabled'], message: noChat });
      if (value?.alerts.intake?.token && intakeDestination(value.alerts.intake, value.schedules).channels.length === 0) {
        problems.push({ path: ['alerts', 'intake'], message: 'no channel for Prometheus alerts: set alerts.intake.channels, or give an enabled health-alerts schedule (run: {alerts: health}) channels' });
      }
      return problems;
    },
  });
  return applyConventionalVariables(config, env);
}
