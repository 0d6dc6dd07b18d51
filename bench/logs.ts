import { pathToFileURL } from 'node:url';
import type { LogEntry } from '../src/core/logs.js';
import { maskSecrets } from '../src/core/mask.js';
import { grepLines } from '../src/logs/grep.js';
import { summariseLogs } from '../src/logs/summary.js';
import { logsReadLimit } from '../src/logs/logs-action.js';
import type { BenchResult } from './result.js';

const rounds = 7;
const pattern = 'refused|timeout';

function sampleLines(count: number): LogEntry[] {
  const kinds = [
    (i: number) => `2026-12-01 10:00:${String(i % 60).padStart(2, '0')} INFO GET /api/orders/${i} 200 in ${i % 90} ms`,
    (i: number) => `2026-12-01 10:00:${String(i % 60).padStart(2, '0')} ERROR connection refused to 10.0.${i % 250}.7:5432 after ${i % 5} tries`,
    (i: number) => `{"level":40,"msg":"slow query","ms":${i},"url":"postgres://app:pw${i}@db/app"}`,
    (i: number) => `2026-12-01 10:00:01 ERROR request ${i.toString(16).padStart(12, 'a')} timeout with Bearer abcdefghijkl${i}`,
  ];
  return Array.from({ length: count }, (_, i) => ({ at: new Date(1_700_000_000_000 + i), stream: i % 7 === 0 ? 'stderr' : 'stdout', text: kinds[i % kinds.length]!(i) }));
}

function median(values: number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
}

async function timed(work: () => Promise<unknown> | unknown): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

/**
 * What `/maint logs` adds to the engine's read of a full window (5000 lines): masking and the summary, and
 * `--grep` in a worker thread with its deadline, each against its anchor, the same match run in-thread.
 */
export async function benchLogs(): Promise<BenchResult> {
  const entries = sampleLines(logsReadLimit);
  const signal = new AbortController().signal;
  const masked = entries.map((entry) => ({ ...entry, text: maskSecrets(entry.text) }));
  const texts = masked.map((entry) => entry.text);
  const inThread = new RegExp(pattern, 'i');
  const maskAndSummary: number[] = [];
  const worker: number[] = [];
  const anchor: number[] = [];
  let matched = 0;
  for (let round = 0; round < rounds; round++) {
    maskAndSummary.push(await timed(() => summariseLogs(entries.map((entry) => ({ ...entry, text: maskSecrets(entry.text) })))));
    worker.push(await timed(async () => (matched = (await grepLines(pattern, texts, signal)).length)));
    anchor.push(await timed(() => texts.filter((text) => inThread.test(text)).length));
  }
  const workerMedian = median(worker);
  return {
    name: 'logs',
    method: `${logsReadLimit} synthetic log lines (four formats, ids, secrets); median of ${rounds} rounds in one process: mask and summarise, and --grep "${pattern}" in a worker thread against the same regex in-thread.`,
    figures: [
      { label: 'mask + summary of 5000 lines (median)', value: ms(median(maskAndSummary)), target: { text: '< 100 ms', met: median(maskAndSummary) < 100 } },
      { label: '--grep in a worker (median)', value: ms(workerMedian), target: { text: '< 200 ms', met: workerMedian < 200 } },
      { label: 'same regex in-thread (anchor, median)', value: ms(median(anchor)) },
      { label: 'worker cost over the anchor', value: ms(workerMedian - median(anchor)) },
    ],
    notes: [`${matched} of ${texts.length} lines matched`],
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  benchLogs().then(
    (result) => console.log(JSON.stringify(result, null, 2)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
