import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startSlackChat } from '../src/adapters/slack/slack-chat.js';
import { buildApp } from '../src/app.js';
import { configSchema } from '../src/config/schema.js';
import { createLogger } from '../src/logging/logger.js';
import { startFakeSlack } from '../test/fakes/slack/index.js';
import type { BenchResult } from './result.js';

const concurrent = 200;
const warmUp = 20;
const targetP99Ms = 50;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

/**
 * Acknowledgement latency of `/maint help` over Socket Mode: the real Bolt and maintbot's router against the
 * fake Slack on 127.0.0.1, 200 slash commands sent at once, timed from envelope sent to ack received.
 */
export async function benchSlackAck(): Promise<BenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'maintbot-bench-slack-'));
  const fake = await startFakeSlack({ waitTimeoutMs: 10_000, ackTimeoutMs: 10_000 });
  const config = configSchema.parse({
    chat: { slack: { mode: 'socket', bot_token: 'xoxb-bench', app_token: 'xapp-bench', api_url: fake.apiUrl }, console: { enabled: 'off' } },
    audit: { file: join(dir, 'audit.jsonl') },
  });
  const logger = createLogger({ level: 'silent', pretty: false });
  const app = await buildApp(config, logger);
  const chat = await startSlackChat({ handler: app.router, settings: config.chat.slack, access: config.access, logger });
  try {
    for (let index = 0; index < warmUp; index += 1) await fake.sendSlashCommand({ text: 'help' });
    const started = performance.now();
    const delivered = await Promise.all(Array.from({ length: concurrent }, (_, index) => fake.sendSlashCommand({ text: 'help', user_id: `U0B${index}` })));
    const wallMs = performance.now() - started;
    const answeredWithHelp = delivered.filter((envelope) => JSON.stringify(envelope.ack.payload ?? {}).includes('maintbot commands')).length;
    const latencies = delivered.map((envelope) => envelope.ackMs).sort((a, b) => a - b);
    const p99 = percentile(latencies, 99);
    return {
      name: 'slack-ack',
      method:
        `${concurrent} concurrent /maint help slash commands over Socket Mode (real Bolt 5, maintbot router) against the fake Slack on 127.0.0.1; ` +
        `latency from sending each envelope to receiving its ack, after ${warmUp} sequential warm-up commands.`,
      figures: [
        { label: 'ack p50', value: ms(percentile(latencies, 50)) },
        { label: 'ack p99', value: ms(p99), target: { text: `p99 < ${targetP99Ms} ms`, met: p99 < targetP99Ms } },
        { label: 'ack max', value: ms(latencies[latencies.length - 1]!) },
        { label: `all ${concurrent} acked`, value: ms(wallMs) },
      ],
      notes: [`${answeredWithHelp} of ${concurrent} acks carried the help text itself (ephemeral), so nothing was posted in the channel`],
    };
  } finally {
    await chat.stop();
    await fake.close();
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchSlackAck().then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
