import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureBuilt, repoRoot } from '../scripts/build.mjs';
import type { MemoryFigures } from './settled-memory.js';

/**
 * The V8 flags of the production process (Dockerfile, `npm start`): every measured process, the bot and its
 * anchor alike, runs with them. See docs/DEPLOY.md, "Memory".
 */
export const productionNodeFlags = ['--max-semi-space-size=2', '--no-opt'];

/**
 * The image's allocator (Dockerfile): jemalloc, preloaded, handing pages back to the kernel as soon as they are
 * freed. glibc's malloc keeps what the bursts of short-lived buffers freed, as resident memory, for good. See
 * docs/DEPLOY.md, "Memory".
 */
export const productionMallocConf = 'dirty_decay_ms:0,muzzy_decay_ms:0';

/** Where Debian's libjemalloc2 is on this machine, if it is installed. */
export function jemallocLibrary(): string | undefined {
  const machine = { x64: 'x86_64', arm64: 'aarch64' }[process.arch as string] ?? process.arch;
  const path = `/usr/lib/${machine}-linux-gnu/libjemalloc.so.2`;
  return existsSync(path) ? path : undefined;
}

/** The environment of the image's process (jemalloc as it configures it), or nothing when jemalloc is not installed. */
export function imageAllocatorEnvironment(): NodeJS.ProcessEnv {
  const library = jemallocLibrary();
  return library === undefined ? {} : { LD_PRELOAD: library, MALLOC_CONF: productionMallocConf };
}

/** The compiled bot's entry point, built from src/ first when it is missing or stale. */
export async function compiledBot(): Promise<string> {
  await ensureBuilt(repoRoot);
  return join(repoRoot, 'dist', 'main.js');
}

/** Starts `script` as a compiled-JavaScript child process (no tsx) that answers memory requests over IPC. */
export function startMeasured(script: string, args: string[], options: { env?: NodeJS.ProcessEnv; stdin?: 'pipe' | 'ignore'; flags?: string[] } = {}): ChildProcess {
  return fork(script, args, {
    cwd: repoRoot,
    execArgv: ['--expose-gc', '--import', join(repoRoot, 'bench', 'process-memory.mjs'), ...(options.flags ?? productionNodeFlags)],
    env: { ...process.env, ...options.env },
    stdio: [options.stdin ?? 'ignore', 'pipe', 'inherit', 'ipc'],
  });
}

/** What a measured process reports: resident size, heap in use, and memory outside the heap held by JavaScript objects (buffers). */
export interface ProcessMemory extends MemoryFigures {
  external: number;
  /** Resident anonymous and file-backed memory (/proc/self/status RssAnon, RssFile). */
  anon: number;
  file: number;
  heapTotal: number;
  /** The process's threads (main, libuv pool, V8 platform workers, worker threads). */
  threads: number;
  /** What V8 itself holds from malloc (zones of the compilers, among others), and its peak. */
  v8Malloced: number;
  v8PeakMalloced: number;
}

/** The child's memory after 1.5 s of quiet and three forced GCs in it. */
export function memoryOf(child: ChildProcess): Promise<ProcessMemory> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: { type?: string } & Partial<ProcessMemory>): void => {
      if (message.type !== 'memory') return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(message as ProcessMemory);
    };
    const onExit = (code: number | null): void => reject(new Error(`the measured process exited (${code}) before answering`));
    child.on('message', onMessage);
    child.once('exit', onExit);
    child.send({ type: 'memory' });
  });
}

/** Resident size as `ps` shows it, from /proc, without a forced GC. */
export async function residentNow(child: ChildProcess): Promise<number> {
  const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) * 1024;
}

/** Stops a measured process with SIGTERM and waits for it to exit (SIGKILL after 15 s). */
export async function stopMeasured(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

/** The 1-minute load average, for the notes: the figures come from a machine shared with others. */
export async function loadAverage(): Promise<string> {
  return (await readFile('/proc/loadavg', 'utf8')).split(' ')[0]!;
}

/** Writes a heap snapshot of the child to `path` (for a look in Chrome DevTools' Memory tab) and resolves once written. */
export function snapshotOf(child: ChildProcess, path: string): Promise<void> {
  return new Promise((resolve) => {
    const onMessage = (message: { type?: string }): void => {
      if (message.type !== 'snapshot') return;
      child.off('message', onMessage);
      resolve();
    };
    child.on('message', onMessage);
    child.send({ type: 'snapshot', path });
  });
}
