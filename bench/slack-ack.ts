import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { accessFor } from '../src/access/roles.js';
import { slackChat } from '../src/chat/slack/index.js';
import { startSlackChat } from '../src/chat/slack/slack-chat.js';
import { buildApp } from '../src/app.js';
import { configSchema } from '../src/config/schema.js';
import { createLogger } from '../src/logging/logger.js';
import { startFakeSlack } from '../test/fakes/slack/index.js';
import type { BenchResult } from './result.js';

const concurrent = 200;
const warmUpBursts = 3;
const targetP99Ms = 50;

/** What the fake Slack's thread measured. */
interface BurstMeasurement {
  latencies: number[];
  wallMs: number;
  answeredWithHelp: number;
}

type ToFake = { type: 'burst' } | { type: 'close' };
type FromFake = { type: 'ready'; apiUrl: string } | { type: 'measured'; measurement: BurstMeasurement } | { type: 'closed' };

/** The fake Slack runs in its own thread, so its work of sending and timing does not count against the bot. */
async function runFakeSlackThread(): Promise<void> {
  const port = parentPort!;
  const fake = await startFakeSlack({ waitTimeoutMs: 10_000, ackTimeoutMs: 10_000 });
  port.on('message', async (message: ToFake) => {
    if (message.type === 'close') {
      await fake.close();
      port.postMessage({ type: 'closed' } satisfies FromFake);
      port.close();
      return;
    }
    await fake.waitForConnections(1);
    const burst = () => Promise.all(Array.from({ length: concurrent }, (_, index) => fake.sendSlashCommand({ text: 'help', user_id: `U0B${index}` })));
    for (let round = 0; round < warmUpBursts; round += 1) await burst();
    const started = performance.now();
    const delivered = await burst();
    const measurement: BurstMeasurement = {
      wallMs: performance.now() - started,
      latencies: delivered.map((envelope) => envelope.ackMs),
      answeredWithHelp: delivered.filter((envelope) => JSON.stringify(envelope.ack.payload ?? {}).includes('maintbot commands')).length,
    };
    port.postMessage({ type: 'measured', measurement } satisfies FromFake);
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

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

/**
 * Acknowledgement latency of `/maint help` over Socket Mode: the real Bolt and maintbot's router against the
 * fake Slack (in its own thread) on 127.0.0.1, 200 slash commands sent at once, timed by the fake from
 * envelope sent to ack received.
 */
export async function benchSlackAck(): Promise<BenchResult> {
  const worker = startFakeSlackThread();
  const dir = await mkdtemp(join(tmpdir(), 'maintbot-bench-slack-'));
  const { apiUrl } = await nextMessage(worker, 'ready');
  const config = configSchema.parse({
    chat: { slack: { mode: 'socket', bot_token: 'xoxb-bench', app_token: 'xapp-bench', api_url: apiUrl }, console: { enabled: 'off' } },
    audit: { file: join(dir, 'audit.jsonl') },
  });
  const logger = createLogger({ level: 'silent', pretty: false });
  const app = await buildApp(config, logger);
  const chat = await startSlackChat({ handler: app.router, settings: config.chat.slack, access: accessFor(slackChat, config.access), logger });
  try {
    const measured = nextMessage(worker, 'measured');
    worker.postMessage({ type: 'burst' } satisfies ToFake);
    const { latencies, wallMs, answeredWithHelp } = (await measured).measurement;
    const sorted = [...latencies].sort((a, b) => a - b);
    const p99 = percentile(sorted, 99);
    return {
      name: 'slack-ack',
      method:
        `${concurrent} concurrent /maint help slash commands over Socket Mode (real Bolt 5, maintbot router) against the fake Slack ` +
        `on 127.0.0.1 in its own thread; latency from sending each envelope to receiving its ack, measured on the fourth burst (the first ${warmUpBursts} warm the JIT).`,
      figures: [
        { label: 'ack p50', value: ms(percentile(sorted, 50)) },
        { label: 'ack p99', value: ms(p99), target: { text: `p99 < ${targetP99Ms} ms`, met: p99 < targetP99Ms } },
        { label: 'ack max', value: ms(sorted[sorted.length - 1]!) },
        { label: `all ${concurrent} acked`, value: ms(wallMs) },
      ],
      notes: [`${answeredWithHelp} of ${concurrent} acks carried the help text itself (ephemeral), so nothing was posted in the channel`],
    };
  } finally {
    await chat.stop();
    const closed = nextMessage(worker, 'closed');
    worker.postMessage({ type: 'close' } satisfies ToFake);
    await closed;
    await worker.terminate();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }
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
