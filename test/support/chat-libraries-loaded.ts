import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { startBot } from '../../src/bot.js';
import { configSchema } from '../../src/config/schema.js';
import { createLogger } from '../../src/logging/logger.js';

/**
 * Run as a script (`node --import tsx`): starts the bot with the terminal chat only, then loads the Slack
 * adapter's implementation; prints which chat libraries the module cache held after each, as JSON.
 */
const libraries = { slack: '/node_modules/@slack/bolt/', discord: '/node_modules/discord.js/' };

function loaded(): Record<keyof typeof libraries, boolean> {
  const files = Object.keys(createRequire(import.meta.url).cache);
  return { slack: files.some((file) => file.includes(libraries.slack)), discord: files.some((file) => file.includes(libraries.discord)) };
}

const dir = await mkdtemp(join(tmpdir(), 'maintbot-libraries-'));
const config = configSchema.parse({ chat: { console: { enabled: 'on' } }, audit: { file: join(dir, 'audit.jsonl') }, targets: {} });
const bot = await startBot(config, createLogger({ level: 'silent', pretty: false }), { input: new PassThrough(), output: new PassThrough(), interactive: false, colour: false });
const terminalOnly = { chats: bot.chats, connections: [...bot.connections.keys()], loaded: loaded() };
await bot.stop();
await rm(dir, { recursive: true, force: true });
await import('../../src/chat/slack/slack-chat.js');
process.stdout.write(`${JSON.stringify({ terminalOnly, afterSlackAdapter: loaded() })}\n`);
