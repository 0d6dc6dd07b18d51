import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { setTimeout } from 'node:timers/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { App, LogLevel, SocketModeReceiver } from '@slack/bolt';
import pino from 'pino';
import { accessFor } from '../src/access/roles.js';
import { slackChat } from '../src/chat/slack/index.js';
import { startSlackChat } from '../src/chat/slack/slack-chat.js';
import { buildApp } from '../src/app.js';
import { configSchema } from '../src/config/schema.js';
import { createLogger } from '../src/logging/logger.js';
import { startFakeSlack, type DeliveredEnvelope } from '../test/fakes/slack/index.js';
import type { BenchResult } from './result.js';

const concurrent = 100;
const warmUpBursts = 3;
const measuredBursts = 5;
/** Each app is measured this many times, taking turns (bare, maintbot, bare, maintbot…), so a change in load hits both. */
const rounds = 3;
const targetRatio = 1.5;
/** Between bursts, for both apps, so each burst meets an idle app. */
const pauseMs = 100;

/** What the fake Slack's thread measured over the bursts of one turn. */
interface TurnMeasurement {
  /** Ack latencies of each measured burst. */
  bursts: number[][];
  /** Commands whose help reached the requester privately (in the ack or on the response_url). */
  answeredWithHelp: number;
}

type ToFake = { type: 'turn'; connection: number; expectAnswers: boolean } | { type: 'close' };
type FromFake = { type: 'ready'; apiUrl: string } | { type: 'measured'; measurement: TurnMeasurement } | { type: 'closed' };

function helpIn(payload: unknown): boolean {
  return JSON.stringify(payload ?? {}).includes('maintbot commands');
}

/** The fake Slack runs in its own thread, so its work of sending and timing does not count against the app. */
async function runFakeSlackThread(): Promise<void> {
  const port = parentPort!;
  const fake = await startFakeSlack({ waitTimeoutMs: 20_000, ackTimeoutMs: 20_000 });
  let sent = 0;
  const answered = async (delivered: DeliveredEnvelope): Promise<boolean> =>
    helpIn(delivered.ack.payload) || helpIn((await fake.waitForResponse(delivered.responseUrlId)).body);
  port.on('message', async (message: ToFake) => {
    if (message.type === 'close') {
      await fake.close();
      port.postMessage({ type: 'closed' } satisfies FromFake);
      port.close();
      return;
    }
    await fake.waitForConnections(message.connection);
    let answeredWithHelp = 0;
    const burst = async (): Promise<number[]> => {
      const delivered = await Promise.all(Array.from({ length: concurrent }, () => fake.sendSlashCommand({ text: 'help', user_id: `U0B${(sent += 1)}` })));
      if (message.expectAnswers) answeredWithHelp += (await Promise.all(delivered.map(answered))).filter(Boolean).length;
      await setTimeout(pauseMs);
      return delivered.map((envelope) => envelope.ackMs);
    };
    for (let round = 0; round < warmUpBursts; round += 1) await burst();
    answeredWithHelp = 0;
    const bursts: number[][] = [];
    for (let round = 0; round < measuredBursts; round += 1) bursts.push(await burst());
    fake.reset();
    port.postMessage({ type: 'measured', measurement: { bursts, answeredWithHelp } } satisfies FromFake);
  });
  port.postMessage({ type: 'ready', apiUrl: fake.apiUrl } satisfies FromFake);
}

/** This same file, run in a worker thread through tsx's loader. */
function startFakeSlackThread(): Worker {
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: { role: 'fake-slack' } });
}

function nextMessage<T extends FromFake['type']>(worker: Worker, type: T): Promise<Extract<FromFake, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromFake) => {
      if (message.type !== type) return;
      worker.off('message', onMessage);
      worker.off('error', reject);
      resolve(message as Extract<FromFake, { type: T }>);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
  });
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const ms = (value: number): string => `${value.toFixed(1)} ms`;

/** A running app connected to the fake Slack over Socket Mode. */
interface Contender {
  stop(): Promise<void>;
}

/** The anchor: Bolt's own App and SocketModeReceiver with one listener that only acks, nothing else. */
async function startBareBolt(apiUrl: string): Promise<Contender> {
  const clientOptions = { slackApiUrl: apiUrl };
  const receiver = new SocketModeReceiver({ appToken: 'xapp-bench', logLevel: LogLevel.ERROR, installerOptions: { clientOptions } });
  const app = new App({ token: 'xoxb-bench', receiver, logLevel: LogLevel.ERROR, clientOptions, tokenVerificationEnabled: false, botId: 'B0BENCH', botUserId: 'U0BENCH' });
  app.command('/maint', async ({ ack }) => {
    await ack();
  });
  await app.start();
  return { stop: () => receiver.client.disconnect() };
}

/** maintbot as `npm start` runs it with Slack: the core, JSON logs at info (to a file here), the audit file, the Slack adapter. */
async function startMaintbot(apiUrl: string, dir: string): Promise<Contender> {
  const config = configSchema.parse({
    chat: { slack: { mode: 'socket', bot_token: 'xoxb-bench', app_token: 'xapp-bench', api_url: apiUrl }, console: { enabled: 'off' } },
    audit: { file: join(dir, 'audit.jsonl') },
    rate_limits: { enabled: false },
  });
  const logger = createLogger({ level: 'info', pretty: false, destination: pino.destination({ dest: join(dir, 'bot.log'), sync: true }) as unknown as NodeJS.WritableStream });
  const app = await buildApp(config, logger);
  const chat = await startSlackChat({ handler: app.router, settings: config.chat.slack, access: accessFor(slackChat, config.access), logger });
  app.outbound.connect(chat.port);
  return {
    stop: async () => {
      await chat.stop();
      await app.drain();
      await app.close();
    },
  };
}

/**
 * Acknowledgement latency of `/maint help` over Socket Mode: 100 slash commands at once from the fake Slack (in
 * its own thread), timed by the fake from envelope sent to ack received, for maintbot and for a bare Bolt app
 * on the same fake and transport, taking turns in one process.
 */
export async function benchSlackAck(): Promise<BenchResult> {
  const loadAtStart = loadavg()[0]!;
  const worker = startFakeSlackThread();
  const dir = await mkdtemp(join(tmpdir(), 'maintbot-bench-slack-'));
  const { apiUrl } = await nextMessage(worker, 'ready');
  const bursts = { bare: [] as number[][], maintbot: [] as number[][] };
  let answeredWithHelp = 0;
  let connection = 0;
  try {
    for (let round = 0; round < rounds; round += 1) {
      for (const name of ['bare', 'maintbot'] as const) {
        (globalThis as { gc?: () => void }).gc?.();
        const contender = name === 'bare' ? await startBareBolt(apiUrl) : await startMaintbot(apiUrl, dir);
        connection += 1;
        try {
          const measured = nextMessage(worker, 'measured');
          worker.postMessage({ type: 'turn', connection, expectAnswers: name === 'maintbot' } satisfies ToFake);
          const { measurement } = await measured;
          bursts[name].push(...measurement.bursts);
          answeredWithHelp += measurement.answeredWithHelp;
        } finally {
          await contender.stop();
        }
      }
    }
  } finally {
    const closed = nextMessage(worker, 'closed');
    worker.postMessage({ type: 'close' } satisfies ToFake);
    await closed;
    await worker.terminate();
    await rm(dir, { recursive: true, force: true });
  }
  const of = (name: keyof typeof bursts, p: number) => median(bursts[name].map((latencies) => percentile([...latencies].sort((a, b) => a - b), p)));
  const [bareP50, bareP99, botP50, botP99] = [of('bare', 50), of('bare', 99), of('maintbot', 50), of('maintbot', 99)];
  const allMax = (name: keyof typeof bursts) => Math.max(...bursts[name].flat());
  const measuredCommands = rounds * measuredBursts * concurrent;
  return {
    name: 'slack-ack',
    method:
      `${concurrent} concurrent /maint help slash commands over Socket Mode against the fake Slack on 127.0.0.1 (in its own thread), timed by the fake from ` +
      `sending each envelope to receiving its ack: maintbot (the real Bolt 5 and the router, JSON logs at info to a file, audit file) and the anchor, a bare Bolt app ` +
      `whose one listener only acks, on the same fake and transport, taking turns in one process (${rounds} turns each; per turn ${warmUpBursts} bursts to warm up, ` +
      `then ${measuredBursts} measured; each burst starts ${pauseMs} ms after every answer of the one before arrived; a forced GC before each turn); figures are the median over the ${rounds * measuredBursts} measured bursts of each burst's percentile.`,
    figures: [
      { label: 'maintbot ack p50', value: ms(botP50), target: { text: `≤ ${targetRatio} × bare (${ms(bareP50 * targetRatio)})`, met: botP50 <= bareP50 * targetRatio } },
      { label: 'maintbot ack p99', value: ms(botP99), target: { text: `≤ ${targetRatio} × bare (${ms(bareP99 * targetRatio)})`, met: botP99 <= bareP99 * targetRatio } },
      { label: 'bare Bolt ack p50 (anchor)', value: ms(bareP50) },
      { label: 'bare Bolt ack p99 (anchor)', value: ms(bareP99) },
      { label: 'maintbot ÷ bare, p50 / p99', value: `${(botP50 / bareP50).toFixed(2)} × / ${(botP99 / bareP99).toFixed(2)} ×` },
      { label: 'slowest ack of any measured burst, maintbot / bare', value: `${ms(allMax('maintbot'))} / ${ms(allMax('bare'))}` },
    ],
    notes: [
      `${answeredWithHelp} of ${measuredCommands} measured commands got the help privately; nothing was posted in the channel`,
      `load average (1 min) ${loadAtStart.toFixed(1)} at the start, ${loadavg()[0]!.toFixed(1)} at the end, on ${'2'} shared cores`,
    ],
  };
}

if (!isMainThread && (workerData as { role?: string } | undefined)?.role === 'fake-slack') {
  void runFakeSlackThread();
} else if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchSlackAck().then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
