// Preload for a measured process (`node --expose-gc --import ./bench/process-memory.mjs …`, forked with an IPC
// channel): answers each { type: 'memory' } message with the process's resident size, V8 heap in use and external memory, read
// after 1.5 s of quiet and three forced GCs, as bench/settled-memory.ts does in the bench's own process;
// { type: 'snapshot', path } writes a heap snapshot there, for finding what a figure is made of.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import v8 from 'node:v8';
import { setTimeout as sleep } from 'node:timers/promises';

async function settled() {
  if (typeof globalThis.gc !== 'function') throw new Error('process-memory.mjs needs --expose-gc');
  await sleep(1_500);
  for (let round = 0; round < 3; round += 1) {
    globalThis.gc();
    await sleep(300);
  }
  const usage = process.memoryUsage();
  const status = readFileSync('/proc/self/status', 'utf8');
  const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN) * 1024;
  const heap = v8.getHeapStatistics();
  return { rss: usage.rss, heap: usage.heapUsed, external: usage.external, anon: kb('RssAnon'), file: kb('RssFile'), threads: Number(/^Threads:\s+(\d+)/m.exec(status)?.[1]), heapTotal: usage.heapTotal, v8Malloced: heap.malloced_memory, v8PeakMalloced: heap.peak_malloced_memory };
}

process.on('message', (message) => {
  if (message?.type === 'snapshot') {
    globalThis.gc?.();
    process.send({ type: 'snapshot', path: v8.writeHeapSnapshot(message.path) });
    return;
  }
  if (message?.type !== 'memory') return;
  void settled().then((memory) => process.send({ type: 'memory', ...memory }));
});
process.channel?.unref();
