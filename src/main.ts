#!/usr/bin/env node
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { userInfo } from 'node:os';
import { runConsoleChat } from './adapters/console/console-chat.js';
import { ConsoleResponder } from './adapters/console/console-responder.js';
import { buildApp } from './app.js';
import { enabledChats } from './config/environment.js';
import { chooseConfigPath, loadConfig } from './config/load.js';
import { ConfigError, formatProblem } from './config/problems.js';
import { rolesFor } from './access/roles.js';
import { createLogger } from './logging/logger.js';

const usage = `Usage: maintbot [--config PATH]

Starts the bot. The config comes from --config, else MAINTBOT_CONFIG, else config/default.yaml.
With no Slack or Discord credentials it opens a terminal chat.`;

async function main(): Promise<number> {
  let options: { config?: string; help?: boolean };
  try {
    options = parseArgs({ options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (error) {
    process.stderr.write(`maintbot: ${(error as Error).message}\n${usage}\n`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }

  const configPath = chooseConfigPath(options.config, process.env);
  const shownPath = relative(process.cwd(), configPath) || configPath;
  let app;
  try {
    const config = await loadConfig(configPath, process.env);
    const chats = enabledChats(config);
    const consoleOnly = chats.console && !chats.slack && !chats.discord;
    const logger = createLogger({
      level: config.log.level === 'info' && consoleOnly ? 'warn' : config.log.level,
      pretty: config.log.format === 'pretty' || (config.log.format === 'auto' && process.stderr.isTTY === true),
    });
    app = await buildApp(config, logger);
    logger.info({ config: shownPath, chats }, 'maintbot started');

    if (chats.slack || chats.discord) {
      logger.error({ chats }, 'Slack and Discord adapters are not part of this build yet; only the terminal chat runs');
    }
    if (!chats.console) return 0;
    const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
    const user = userInfo().username;
    process.stdout.write(`maintbot: no Slack or Discord credentials, so this is the terminal chat on ${shownPath}. Type /maint help, or quit.\n`);
    await runConsoleChat(app.router, {
      input: process.stdin,
      output: process.stdout,
      interactive,
      actor: { id: user, name: user, roles: rolesFor({ platform: 'console', userId: user }, config.access, config.chat.console.roles) },
      responder: new ConsoleResponder(process.stdout, interactive),
    });
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`maintbot: cannot start, ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'} in the configuration:\n`);
      for (const problem of error.problems) process.stderr.write(`  ${formatProblem(problem)}\n`);
      return 2;
    }
    process.stderr.write(`maintbot: cannot start: ${(error as Error).message}\n`);
    return 1;
  }
}

const exitCode = await main();
process.stdout.write("", () => process.exit(exitCode));
