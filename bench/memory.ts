import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { repoRoot } from '../scripts/build.mjs';
import { DISCORD_FIXTURE, startFakeDiscord } from '../test/fakes/discord/index.js';
import { startFakeSlack } from '../test/fakes/slack/index.js';
import { freePort } from '../test/support/services.js';
import { compiledBot, imageAllocatorEnvironment, jemallocLibrary, loadAverage, memoryOf, type ProcessMemory, productionMallocConf, productionNodeFlags, residentNow, snapshotOf, startMeasured, stopMeasured } from './measured-process.js';
import type { BenchResult } from './result.js';
import { mb } from './settled-memory.js';

const commandCount = 10_000;
const warmUpCount = 5_000;
const discordShare = 0.2;
const batchSize = 50;
const growthTargetMb = 5;
const idleRatioTarget = 1.2;
const idleMs = 3_000;
/** A folder for heap snapshots of the bot after the warm-up and after the measured commands, when set. */
const snapshots = process.env.MAINTBOT_BENCH_SNAPSHOTS;
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

async function waitUntilReady(port: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((response) => response.ok, () => false);
    if (ready) return;
    if (Date.now() > deadline) throw new Error('the bot did not report ready (Slack and Discord connected) within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The anchor process (bench/anchor-clients.mjs) connected to the fakes, idle: its settled memory and what ps shows. */
async function measureAnchor(ready: Extract<FromFakes, { type: 'ready' }>): Promise<{ settled: ProcessMemory; resident: number }> {
  const anchor = startMeasured(join(repoRoot, 'bench', 'anchor-clients.mjs'), [], {
    env: { ...imageAllocatorEnvironment(), ANCHOR_SLACK_API_URL: ready.slackApiUrl, ANCHOR_DISCORD_API: ready.discordApiBase.replace(/\/v\d+\/?$/, ''), ANCHOR_DISCORD_TOKEN: discordToken },
  });
  anchor.stdout!.resume();
  try {
    await new Promise<void>((resolve, reject) => {
      anchor.on('message', (message: { type?: string }) => message.type === 'ready' && resolve());
      anchor.once('exit', (code) => reject(new Error(`the anchor process exited (${code}) before both clients connected`)));
    });
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    const resident = await residentNow(anchor);
    return { settled: await memoryOf(anchor), resident };
  } finally {
    await stopMeasured(anchor);
  }
}

/**
 * Waits until the bot's `maintbot_commands_total` counts `total` finished commands: a Slack command is acked before
 * it is answered, so memory read right after the acks would hold the answers still being worked out.
 */
async function commandsFinished(port: number, total: number, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await fetch(`http://127.0.0.1:${port}/metrics`).then((response) => response.text());
    const finished = text
      .split('\n')
      .filter((line) => line.startsWith('maintbot_commands_total{'))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
    if (finished >= total) return;
    if (Date.now() > deadline) throw new Error(`the bot finished ${finished} of ${total} commands in ${timeoutMs / 1000} s (maintbot_commands_total)`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The compiled bot (`node dist/main.js`, as the image and `npm start` run it: core, metrics endpoint, scheduler,
 * Slack over Socket Mode, Discord over the gateway) against the fakes in a child process, beside the anchor: a
 * bare Bolt app and a bare discord.js client in one process on the same fakes. Resident size at idle against
 * the anchor's, then growth over 10,000 commands (80 % Slack slash commands, 20 % Discord interactions).
 */
export async function benchMemory(): Promise<BenchResult> {
  const main = await compiledBot();
  const fakes = startFakesProcess();
  const dir = await mkdtemp(join(tmpdir(), 'maintbot-bench-memory-'));
  const loadAtStart = await loadAverage();
  try {
    const ready = await next(fakes, 'ready');
    const anchorBefore = await measureAnchor(ready);
    const port = await freePort();
    const config = {
      chat: {
        console: { enabled: 'off' },
        slack: { mode: 'socket', bot_token: 'xoxb-bench', app_token: 'xapp-bench', api_url: ready.slackApiUrl },
        discord: { token: discordToken, application_id: ready.applicationId, api_url: ready.discordApiBase, guilds: [DISCORD_FIXTURE.guildId] },
      },
      observability: { enabled: 'on', host: '127.0.0.1', port },
      rate_limits: { commands: { limit: 1_000_000, per: '1m' } },
      audit: { file: join(dir, 'audit.jsonl') },
      log: { level: 'warn' },
      targets: {},
    };
    const configPath = join(dir, 'bench.yaml');
    await writeFile(configPath, JSON.stringify(config));
    const bot = startMeasured(main, ['--config', configPath], { env: imageAllocatorEnvironment() });
    bot.stdout!.resume();
    let figures: BenchResult['figures'];
    let notes: string[];
    try {
      await waitUntilReady(port);
      await new Promise((resolve) => setTimeout(resolve, idleMs));
      const residentIdle = await residentNow(bot);
      const idle = await memoryOf(bot);

      let sentInAll = 0;
      const send = async (count: number): Promise<{ slackAcked: number; discordAnswered: number; ms: number }> => {
        const started = performance.now();
        const sent = next(fakes, 'sent');
        const discord = Math.round(count * discordShare);
        fakes.send({ type: 'send', slack: count - discord, discord } satisfies ToFakes);
        const delivered = await sent;
        sentInAll += count;
        await commandsFinished(port, sentInAll);
        return { ...delivered, ms: performance.now() - started };
      };
      await send(warmUpCount);
      const before = await memoryOf(bot);
      if (snapshots) await snapshotOf(bot, join(snapshots, 'after-warm-up.heapsnapshot'));
      const run = await send(commandCount);
      const after = await memoryOf(bot);
      if (snapshots) await snapshotOf(bot, join(snapshots, `after-${commandCount}.heapsnapshot`));
      await send(commandCount);
      const again = await memoryOf(bot);
      const anchorAfter = await stopThen(bot, () => measureAnchor(ready));
      const anchor = (anchorBefore.settled.rss + anchorAfter.settled.rss) / 2;
      const rssGrowth = after.rss - before.rss;
      const heapGrowth = after.heap - before.heap;
      const limit = growthTargetMb * 1_048_576;
      const ratio = idle.rss / anchor;
      figures = [
        { label: 'resident size at idle, Slack and Discord connected (node dist/main.js)', value: mb(idle.rss), target: { text: `≤ ${idleRatioTarget} × anchor (${mb(anchor * idleRatioTarget)})`, met: ratio <= idleRatioTarget } },
        { label: 'anchor: bare Bolt app + bare discord.js client, one process, same fakes (mean of before and after)', value: mb(anchor) },
        { label: 'bot ÷ anchor at idle', value: `${ratio.toFixed(2)} ×` },
        { label: 'V8 heap used at idle (bot / anchor)', value: `${mb(idle.heap)} / ${mb((anchorBefore.settled.heap + anchorAfter.settled.heap) / 2)}` },
        { label: `resident size growth over ${commandCount.toLocaleString('en')} commands`, value: mb(rssGrowth), target: { text: `≤ ${growthTargetMb} MB`, met: rssGrowth <= limit } },
        { label: `heap growth over ${commandCount.toLocaleString('en')} commands`, value: mb(heapGrowth), target: { text: `≤ ${growthTargetMb} MB`, met: heapGrowth <= limit } },
        { label: `resident size growth over the next ${commandCount.toLocaleString('en')}`, value: mb(again.rss - after.rss) },
        { label: `heap growth over the next ${commandCount.toLocaleString('en')}`, value: mb(again.heap - after.heap) },
        { label: 'commands per second', value: `${Math.round(commandCount / (run.ms / 1000))}` },
      ];
      notes = [
        `node flags of both processes: ${productionNodeFlags.join(' ')} (the image's and npm start's, docs/DEPLOY.md) and --expose-gc with bench/process-memory.mjs preloaded to read settled sizes; neither runs under tsx`,
        jemallocLibrary() === undefined
          ? "allocator of both processes: glibc's malloc (Debian's libjemalloc2, which the image preloads, is not installed here), so the growth includes the pages glibc keeps after the buffers in them were freed"
          : `allocator of both processes: the image's, jemalloc (${jemallocLibrary()}) preloaded with MALLOC_CONF=${productionMallocConf}`,
        `anchor before the bot ${mb(anchorBefore.settled.rss)}, after it ${mb(anchorAfter.settled.rss)}; without a forced GC (VmRSS after ${idleMs / 1000} s idle) bot ${mb(residentIdle)}, anchor ${mb(anchorBefore.resident)} and ${mb(anchorAfter.resident)}`,
        `${run.slackAcked} of ${commandCount - Math.round(commandCount * discordShare)} Slack commands acked, ${run.discordAnswered} of ${Math.round(commandCount * discordShare)} Discord interactions answered`,
        `resident size before the ${commandCount.toLocaleString('en')} commands ${mb(before.rss)}, after ${mb(after.rss)}, after the next ${commandCount.toLocaleString('en')} ${mb(again.rss)}; heap ${mb(before.heap)}, ${mb(after.heap)}, ${mb(again.heap)}; external ${mb(before.external)}, ${mb(after.external)}, ${mb(again.external)}`,
        `where the bot's resident size is (idle → after the warm-up → after the first 10,000 → after the next): ${[idle, before, after, again].map(breakdown).join(' → ')}`,
        `and the anchor's (before, after): ${[anchorBefore.settled, anchorAfter.settled].map(breakdown).join(', ')}`,
        `load average (1 min) ${loadAtStart} at the start, ${await loadAverage()} at the end: the machine is shared with other sessions`,
      ];
    } finally {
      await stopMeasured(bot);
    }
    return {
      name: 'memory',
      method:
        `The compiled bot (node dist/main.js: metrics endpoint on, Slack over Socket Mode, Discord over the gateway, no targets) and the anchor (bench/anchor-clients.mjs: a bare Bolt app and a bare discord.js client in one process), each in a child process against the same fake Slack and Discord in a third; ` +
        `every size is read in the measured process after 1.5 s of quiet and 3 forced GCs: once both chats are connected and ${idleMs / 1000} s idle, then after ${warmUpCount.toLocaleString('en')} commands to warm up, and the growth over ` +
        `${commandCount.toLocaleString('en')} more (${(1 - discordShare) * 100} % Slack: ${slackTexts.map((text) => `/maint ${text}`).join(', ')}; ${discordShare * 100} % Discord: ${discordSubcommands.join(', ')}), in batches of ${batchSize}.`,
      figures,
      notes,
    };
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

/** Resident size split into anonymous and file-backed memory, with the V8 heap's committed size and V8's own malloc. */
function breakdown(memory: ProcessMemory): string {
  return `anon ${mb(memory.anon)} (V8 heap committed ${mb(memory.heapTotal)}, V8 malloc ${mb(memory.v8Malloced)}, peak ${mb(memory.v8PeakMalloced)}), file ${mb(memory.file)}, ${memory.threads} threads`;
}

async function stopThen<T>(child: ChildProcess, then: () => Promise<T>): Promise<T> {
  await stopMeasured(child);
  return then();
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
