#!/usr/bin/env node
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { startBot, type RunningBot } from './bot.js';
import { chatOn, enabledChats } from './config/chat.js';
import { chooseConfigPath, loadConfig } from './config/load.js';
import { ConfigError, formatProblem } from './config/problems.js';
import type { Config } from './config/schema.js';
import { CodedError, UserError } from './core/errors.js';
import { createLogger } from './logging/logger.js';

const usage = `Usage: maintbot [--config PATH]

Starts the bot. The config comes from --config, else MAINTBOT_CONFIG, else config/default.yaml.
With no Slack or Discord credentials it opens a terminal chat.`;

const exitConfig = 2;

async function main(): Promise<number> {
  let options: { config?: string; help?: boolean };
  try {
    options = parseArgs({ options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } }).values;
  } catch (error) {
    process.stderr.write(`maintbot: ${(error as Error).message}\n${usage}\n`);
    return exitConfig;
  }
  if (options.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }

  const configPath = chooseConfigPath(options.config, process.env);
  const shownPath = (options.config ?? process.env.MAINTBOT_CONFIG) || relative(process.cwd(), configPath) || configPath;
  let config: Config;
  try {
    config = await loadConfig(configPath, process.env);
  } catch (error) {
    return reportStartFailure(error);
  }
  const chats = enabledChats(config);
  const terminalOnly = chatOn(chats, 'terminal') && !chatOn(chats, 'network');
  const logger = createLogger({
    level: config.log.level === 'info' && terminalOnly ? 'warn' : config.log.level,
    pretty: config.log.format === 'pretty' || (config.log.format === 'auto' && process.stderr.isTTY === true),
  });
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;

  let bot: RunningBot;
  try {
    bot = await startBot(config, logger, { input: process.stdin, output: process.stdout, interactive, colour: interactive });
  } catch (error) {
    return reportStartFailure(error);
  }
  const stopped = stopOnSignal(bot, logger);
  logger.info({ config: shownPath, chats, observabilityPort: bot.observability?.port }, 'maintbot started');

  const conversation = [...bot.connections.values()].find((connection) => connection.converse);
  if (conversation?.converse) {
    const intro = terminalOnly ? 'no Slack or Discord credentials, so this is the terminal chat' : 'terminal chat';
    process.stdout.write(`maintbot: ${intro} on ${shownPath}. Type /maint help, or quit.\n`);
    await Promise.race([conversation.converse(), stopped]);
    if (terminalOnly) {
      await bot.stop();
      return 0;
    }
  }
  const keepRunning = setInterval(() => undefined, 2 ** 30);
  await stopped;
  clearInterval(keepRunning);
  return 0;
}

function stopOnSignal(bot: RunningBot, logger: ReturnType<typeof createLogger>): Promise<void> {
  return new Promise((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      logger.info({ signal }, 'stopping');
      const deadline = setTimeout(() => {
        logger.error('shutdown took longer than 10 s; exiting anyway');
        process.exit(1);
      }, 10_000);
      deadline.unref();
      void bot.stop().finally(resolve);
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

function reportStartFailure(error: unknown): number {
  if (error instanceof ConfigError) {
    process.stderr.write(`maintbot: cannot start, ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'} in the configuration:\n`);
    for (const problem of error.problems) process.stderr.write(`  ${formatProblem(problem)}\n`);
    return exitConfig;
  }
  if (error instanceof UserError || error instanceof CodedError) {
    process.stderr.write(`maintbot: cannot start: ${error.message}\n`);
    return exitConfig;
  }
  process.stderr.write(`maintbot: cannot start: ${(error as Error).message ?? String(error)}\n`);
  return 1;
}

const exitCode = await main();
process.stdout.write('', () => process.exit(exitCode));
