import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { startBot } from '../src/bot.js';
import { runConsoleChat } from '../src/chat/console/console-chat.js';
import { ConsoleResponder } from '../src/chat/console/console-responder.js';
import { configSchema } from '../src/config/schema.js';
import { createLogger } from '../src/logging/logger.js';
import { hostileInputs } from '../test/support/hostile-inputs.js';
import type { BenchResult } from './result.js';
import { mb, settledMemory } from './settled-memory.js';

const inputCount = 1_000;
const megabyteLines = 25;
const growthTargetMb = 10;
const seed = 15;
const benignTexts = ['help', 'health --help', 'frobnicate', 'vacuum orders --dry-run', 'approvals'];
const server = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432';

/** A sink that only counts, so that what the bot writes costs it nothing but the writing. */
function countingSink(): { stream: Writable; bytes: () => number } {
  let bytes = 0;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done();
    },
  });
  return { stream, bytes: () => bytes };
}

/**
 * The bot as `npm start` runs the terminal chat (startBot, JSON logs at info, the audit file, a PostgreSQL
 * target), fed one line at a time: the resident size after GC before and after 1,000 hostile inputs (the
 * fuzz test's generator, 25 of them 1 MB lines, the rest up to 100 KB), beside the same count of ordinary
 * commands as the anchor, in the same process.
 */
export async function benchHostileInput(): Promise<BenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'maintbot-bench-hostile-'));
  const log = countingSink();
  const output = countingSink();
  const logger = createLogger({ level: 'info', pretty: false, destination: log.stream });
  const config = configSchema.parse({
    chat: { console: { enabled: 'on', roles: ['admin'] } },
    audit: { file: join(dir, 'audit.jsonl') },
    schedules: [],
    rate_limits: { enabled: false },
    targets: { postgres: [{ name: 'bench-pg', url: `${server}/postgres` }] },
  });
  const bot = await startBot(config, logger, { input: new PassThrough(), output: output.stream, interactive: false, colour: false });
  const input = new PassThrough();
  let finished: (() => void) | undefined;
  const handler = {
    handle: async (...args: Parameters<typeof bot.app.router.handle>) => {
      const outcome = await bot.app.router.handle(...args);
      finished?.();
      return outcome;
    },
  };
  const chat = runConsoleChat(handler, { input, output: output.stream, interactive: false, actor: { id: 'bench', name: 'bench', roles: ['admin'] }, responder: new ConsoleResponder(output.stream, false) });
  const send = async (lines: readonly string[]): Promise<number> => {
    const started = performance.now();
    for (const line of lines) {
      if (line.trim() === '' || line.trim().startsWith('#')) continue;
      await new Promise<void>((resolve) => {
        finished = resolve;
        input.write(`${line}\n`);
      });
    }
    return performance.now() - started;
  };
  try {
    const hostile = hostileInputs(seed, inputCount, { markerDir: join(dir, 'markers'), megabyteLines });
    const benign = Array.from({ length: inputCount }, (_, index) => benignTexts[index % benignTexts.length]!);
    const hostileChars = hostile.reduce((sum, line) => sum + line.length, 0);
    await send([...benign.slice(0, 200), ...hostileInputs(seed + 1, 200, { markerDir: join(dir, 'markers'), megabyteLines: 5 })]);
    const start = await settledMemory();
    const benignMs = await send(benign);
    const afterBenign = await settledMemory();
    const outputBefore = output.bytes();
    const logBefore = log.bytes();
    const hostileMs = await send(hostile);
    const afterHostile = await settledMemory();
    const answered = output.bytes() - outputBefore;
    const logged = log.bytes() - logBefore;
    await send(hostile);
    const again = await settledMemory();
    const hostileGrowth = afterHostile.rss - afterBenign.rss;
    return {
      name: 'hostile input',
      method:
        `startBot with the terminal chat on a stream (JSON logs at info, audit file, one PostgreSQL target), fed one line at a time after 400 lines to warm up; ` +
        `every size is read after 1.5 s of quiet and 3 forced GCs (--expose-gc): before and after ${inputCount.toLocaleString('en')} ordinary commands (${benignTexts.join(', ')}) as the anchor, ` +
        `then after ${inputCount.toLocaleString('en')} hostile inputs of test/support/hostile-inputs.ts (seed ${seed}; ${megabyteLines} of them 1 MB lines), then after the same again.`,
      figures: [
        { label: `resident size growth over ${inputCount.toLocaleString('en')} ordinary commands (anchor)`, value: mb(afterBenign.rss - start.rss) },
        { label: `resident size growth over ${inputCount.toLocaleString('en')} hostile inputs`, value: mb(hostileGrowth), target: { text: `≤ ${growthTargetMb} MB`, met: hostileGrowth <= growthTargetMb * 1_048_576 } },
        { label: `heap growth over ${inputCount.toLocaleString('en')} hostile inputs`, value: mb(afterHostile.heap - afterBenign.heap) },
        { label: `resident size growth over the same ${inputCount.toLocaleString('en')} again`, value: mb(again.rss - afterHostile.rss) },
        { label: 'characters typed in the hostile inputs', value: hostileChars.toLocaleString('en') },
        { label: 'bytes answered to them (terminal)', value: answered.toLocaleString('en') },
        { label: 'bytes logged for them', value: logged.toLocaleString('en') },
        { label: 'ordinary commands per second', value: `${Math.round(inputCount / (benignMs / 1000))}` },
        { label: 'hostile inputs per second', value: `${Math.round(inputCount / (hostileMs / 1000))}` },
      ],
      notes: [
        `resident size ${mb(start.rss)} after warming up, ${mb(afterBenign.rss)} after the anchor, ${mb(afterHostile.rss)} after the hostile inputs, ${mb(again.rss)} after them again; heap ${mb(start.heap)}, ${mb(afterBenign.heap)}, ${mb(afterHostile.heap)}, ${mb(again.heap)}`,
      ],
    };
  } finally {
    input.end();
    await chat;
    await bot.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchHostileInput().then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
