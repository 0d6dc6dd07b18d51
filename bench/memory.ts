import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startBot } from '../src/bot.js';
import { configSchema } from '../src/config/schema.js';
import { createLogger } from '../src/logging/logger.js';
import { DISCORD_FIXTURE, startFakeDiscord } from '../test/fakes/discord/index.js';
import { startFakeSlack } from '../test/fakes/slack/index.js';
import type { BenchResult } from './result.js';
import { mb, settledMemory } from './settled-memory.js';

const commandCount = 10_000;
const warmUpCount = 5_000;
const discordShare = 0.2;
const batchSize = 50;
const growthTargetMb = 5;
const discordToken = 'MTEwMDAwMDAwMDAwMDAwMDAwMQ.fake.not-a-secret';
const slackTexts = ['help', 'help health', 'health --help', 'frobnicate', 'health --dry-run'];
const discordSubcommands = ['help', 'runbooks'];

type ToFakes = { type: 'send'; slack: number; discord: number } | { type: 'close' };
type FromFakes =
  | { type: 'ready'; slackApiUrl: string; discordApiBase: string; applicationId: string }
  | { type: 'sent'; slackAcked: number; discordAnswered: number }
  | { type: 'closed' };

/** The fake Slack and Discord in a child process of their own, so their memory is not the bot's. */
async function runFakesProcess(): Promise<void> {
  const slack = await startFakeSlack({ waitTimeoutMs: 20_000, ackTimeoutMs: 20_000 });
  const discord = await startFakeDiscord({ token: discordToken, heartbeatIntervalMs: 1_000 });
  let sentSoFar = 0;
  const sendSlack = async (count: number): Promise<number> => {
    let acked = 0;
    for (let done = 0; done < count; done += batchSize) {
      const batch = Array.from({ length: Math.min(batchSize, count - done) }, () => slackTexts[sentSoFar++ % slackTexts.length]!);
      const delivered = await Promise.all(batch.map((text, index) => slack.sendSlashCommand({ text, user_id: `U0MEM${index}` })));
      acked += delivered.length;
    }
    return acked;
  };
  const sendDiscord = async (count: number): Promise<number> => {
    let answered = 0;
    for (let done = 0; done < count; done += batchSize) {
      const batch = Array.from({ length: Math.min(batchSize, count - done) }, () => discordSubcommands[sentSoFar++ % discordSubcommands.length]!);
      const sent = await Promise.all(batch.map((subcommand) => discord.sendChatCommand({ subcommand })));
      answered += (await Promise.all(sent.map((interaction) => discord.waitForCallback(interaction.id, 20_000).then(() => 1, () => 0)))).reduce<number>((a, b) => a + b, 0);
    }
    return answered;
  };
  process.on('message', (message: ToFakes) => {
    if (message.type === 'close') {
      void Promise.allSettled([slack.close(), discord.close()]).then(() => {
        process.send!({ type: 'closed' } satisfies FromFakes);
        process.disconnect();
      });
      return;
    }
    void (async () => {
      const slackAcked = await sendSlack(message.slack);
      const discordAnswered = await sendDiscord(message.discord);
      process.send!({ type: 'sent', slackAcked, discordAnswered } satisfies FromFakes);
    })();
  });
  process.send!({ type: 'ready', slackApiUrl: slack.apiUrl, discordApiBase: discord.apiBase, applicationId: discord.applicationId } satisfies FromFakes);
}

function startFakesProcess(): ChildProcess {
  return fork(fileURLToPath(import.meta.url), [], { execArgv: ['--import', 'tsx'], env: { ...process.env, MAINTBOT_BENCH_ROLE: 'fakes' }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

function next<T extends FromFakes['type']>(child: ChildProcess, type: T): Promise<Extract<FromFakes, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromFakes): void => {
      if (message.type !== type) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as Extract<FromFakes, { type: T }>);
    };
    const onExit = (code: number | null): void => reject(new Error(`the fakes' process exited (${code}) before '${type}'`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/**
 * The bot as `npm start` runs it (startBot: core, metrics endpoint, scheduler, Slack over Socket Mode and
 * Discord over the gateway) against the fakes in a child process: resident size at idle, then growth over
 * 10,000 commands (80 % Slack slash commands, 20 % Discord interactions) after 1,000 to warm up.
 */
export async function benchMemory(): Promise<BenchResult> {
  const fakes = startFakesProcess();
  const dir = await mkdtemp(join(tmpdir(), 'maintbot-bench-memory-'));
  const logger = createLogger({ level: 'silent', pretty: false });
  try {
    const ready = await next(fakes, 'ready');
    const config = configSchema.parse({
      chat: {
        console: { enabled: 'off' },
        slack: { mode: 'socket', bot_token: 'xoxb-bench', app_token: 'xapp-bench', api_url: ready.slackApiUrl },
        discord: { token: discordToken, application_id: ready.applicationId, api_url: ready.discordApiBase, guilds: [DISCORD_FIXTURE.guildId] },
      },
      observability: { enabled: 'on', host: '127.0.0.1', port: 0 },
      rate_limits: { commands: { limit: 1_000_000, per: '1m' } },
      audit: { file: join(dir, 'audit.jsonl') },
      targets: {},
    });
    const bot = await startBot(config, logger, { input: process.stdin, output: process.stdout, interactive: false, colour: false });
    try {
      const deadline = Date.now() + 20_000;
      while (![...bot.connections.values()].every((connection) => connection.connected())) {
        if (Date.now() > deadline) throw new Error('Slack and Discord did not both connect within 20 s');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const idle = await settledMemory();

      const send = async (count: number): Promise<{ slackAcked: number; discordAnswered: number; ms: number }> => {
        const started = performance.now();
        const sent = next(fakes, 'sent');
        const discord = Math.round(count * discordShare);
        fakes.send({ type: 'send', slack: count - discord, discord } satisfies ToFakes);
        return { ...(await sent), ms: performance.now() - started };
      };
      await send(warmUpCount);
      const before = await settledMemory();
      const run = await send(commandCount);
      const after = await settledMemory();
      await send(commandCount);
      const again = await settledMemory();
      const rssGrowth = after.rss - before.rss;
      const heapGrowth = after.heap - before.heap;
      const limit = growthTargetMb * 1_048_576;
      return {
        name: 'memory',
        method:
          `startBot as in production (metrics endpoint on, Slack over Socket Mode, Discord over the gateway) against the fake Slack and Discord in a child process; ` +
          `every size is read after 1.5 s of quiet and 3 forced GCs (--expose-gc): once both are connected (idle), then after ${warmUpCount.toLocaleString('en')} commands to warm up, and the growth over ` +
          `${commandCount.toLocaleString('en')} more (${(1 - discordShare) * 100} % Slack: ${slackTexts.map((text) => `/maint ${text}`).join(', ')}; ${discordShare * 100} % Discord: ${discordSubcommands.join(', ')}), in batches of ${batchSize}.`,
        figures: [
          { label: 'resident size at idle, Slack and Discord connected', value: mb(idle.rss) },
          { label: 'V8 heap used at idle', value: mb(idle.heap) },
          { label: `resident size growth over ${commandCount.toLocaleString('en')} commands`, value: mb(rssGrowth), target: { text: `< ${growthTargetMb} MB`, met: rssGrowth < limit } },
          { label: `heap growth over ${commandCount.toLocaleString('en')} commands`, value: mb(heapGrowth), target: { text: `< ${growthTargetMb} MB`, met: heapGrowth < limit } },
          { label: `resident size growth over the next ${commandCount.toLocaleString('en')}`, value: mb(again.rss - after.rss) },
          { label: `heap growth over the next ${commandCount.toLocaleString('en')}`, value: mb(again.heap - after.heap) },
          { label: 'commands per second', value: `${Math.round(commandCount / (run.ms / 1000))}` },
        ],
        notes: [
          `${run.slackAcked} of ${commandCount - Math.round(commandCount * discordShare)} Slack commands acked, ${run.discordAnswered} of ${Math.round(commandCount * discordShare)} Discord interactions answered`,
          `resident size before the ${commandCount.toLocaleString('en')} commands ${mb(before.rss)}, after ${mb(after.rss)}, after the next ${commandCount.toLocaleString('en')} ${mb(again.rss)}`,
          'the bot runs under tsx here (as `npm start` does); its TypeScript loader adds to the resident size that `node dist/main.js` in the image would have',
        ],
      };
    } finally {
      await bot.stop();
    }
  } finally {
    if (fakes.connected) {
      const closed = next(fakes, 'closed').catch(() => undefined);
      fakes.send({ type: 'close' } satisfies ToFakes);
      await closed;
    }
    if (fakes.exitCode === null) fakes.kill();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.env.MAINTBOT_BENCH_ROLE === 'fakes') {
  void runFakesProcess();
} else if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchMemory().then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
