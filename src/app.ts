import { resolve } from 'node:path';
import type { Logger } from 'pino';
import { healthReportAction } from './actions/health.js';
import { ConfigError, type ConfigProblem } from './config/problems.js';
import { projectRoot } from './config/load.js';
import type { Config } from './config/schema.js';
import { ActionRegistry } from './engine/action.js';
import { RunbookEngine } from './engine/engine.js';
import { loadRunbookCatalog, type RunbookCatalog } from './engine/runbook-catalog.js';
import { buildProbes } from './health/probes/index.js';
import { loadCommandCatalog, type CommandCatalog } from './router/catalog.js';
import { Router, type BuiltinHandler } from './router/router.js';

/** Where the bot reads its command and runbook definitions. */
export interface DefinitionFolders {
  commands: string;
  runbooks: string;
}

/** The folders shipped with maintbot. */
export const shippedDefinitions: DefinitionFolders = {
  commands: resolve(projectRoot, 'commands'),
  runbooks: resolve(projectRoot, 'runbooks'),
};

/** The platform-neutral core of a running bot: everything but the chat adapters. */
export interface App {
  config: Config;
  logger: Logger;
  commands: CommandCatalog;
  runbooks: RunbookCatalog;
  router: Router;
}

/** Builds the core from a validated config. Throws `ConfigError` when definitions are invalid. */
export async function buildApp(config: Config, logger: Logger, folders: DefinitionFolders = shippedDefinitions): Promise<App> {
  const probes = buildProbes(config.targets);
  const actions = new ActionRegistry().register(healthReportAction(probes, config.health.timeout_ms));
  const [commands, runbooks] = await Promise.all([loadCommandCatalog(folders.commands), loadRunbookCatalog(folders.runbooks, actions)]);
  checkCommandsAgainstRunbooks(commands, runbooks, folders.commands);
  const engine = new RunbookEngine(actions);
  const builtins = new Map<string, BuiltinHandler>();
  const router = new Router({ commands, runbooks, engine, builtins, logger });
  return { config, logger, commands, runbooks, router };
}

function checkCommandsAgainstRunbooks(commands: CommandCatalog, runbooks: RunbookCatalog, dir: string): void {
  const problems: ConfigProblem[] = [];
  for (const spec of commands.all()) {
    if (!spec.runbook) continue;
    const file = `${dir}/${spec.name}.yaml`;
    const runbook = runbooks.get(spec.runbook);
    if (!runbook) {
      problems.push({ file, path: 'runbook', message: `no runbook named '${spec.runbook}' in runbooks/` });
      continue;
    }
    const given = new Set([...spec.args, ...spec.flags].map((item) => item.name));
    for (const [name, param] of Object.entries(runbook.params)) {
      if (param.required && param.default === undefined && !given.has(name)) {
        problems.push({ file, path: 'args', message: `runbook '${runbook.name}' needs parameter '${name}', which this command does not pass` });
      }
    }
    for (const name of given) {
      if (!(name in runbook.params)) problems.push({ file, path: 'args', message: `'${name}' is not a parameter of runbook '${runbook.name}'` });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
}
