import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compiledBot, loadAverage, memoryOf, productionNodeFlags, residentNow, startMeasured, stopMeasured } from './measured-process.js';
import type { BenchResult } from './result.js';
import { mb, type MemoryFigures } from './settled-memory.js';

const targetMb = 70;
const idleMs = 3_000;
const banner = 'Type /maint help, or quit.';

/** Text the child printed so far, and a way to wait for a piece of it. */
function watchOutput(child: ChildProcess): (text: string, after?: number) => Promise<number> {
  let output = '';
  const waiting = new Set<() => void>();
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    for (const check of waiting) check();
  });
  return (text, after = 0) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "${text}" from the bot within 60 s; it printed: ${output.slice(-500)}`)), 60_000);
      const check = (): void => {
        const at = output.indexOf(text, after);
        if (at < 0) return;
        clearTimeout(timer);
        waiting.delete(check);
        resolve(at + text.length);
      };
      waiting.add(check);
      check();
    });
}

/** The terminal-only compiled bot on `configPath`: settled memory idle, what ps shows, and the same after `/maint health`. */
async function measureTerminal(main: string, configPath: string, flags: string[]): Promise<{ idle: MemoryFigures; resident: number; afterHealth: MemoryFigures }> {
  const bot = startMeasured(main, ['--config', configPath], { stdin: 'pipe', flags });
  const seen = watchOutput(bot);
  try {
    const afterBanner = await seen(banner);
    await new Promise((resolve) => setTimeout(resolve, idleMs));
    const resident = await residentNow(bot);
    const idle = await memoryOf(bot);
    bot.stdin!.write('/maint health\n');
    await seen('asked by', afterBanner);
    const afterHealth = await memoryOf(bot);
    return { idle, resident, afterHealth };
  } finally {
    bot.stdin!.end('quit\n');
    await stopMeasured(bot);
  }
}

/**
 * `npm start` with no chat tokens: the compiled bot (node dist/main.js) with only the terminal chat, on the
 * shipped config/default.yaml (this host, and PostgreSQL and Redis on their local ports) and on a config with
 * the host alone; resident size idle, and after one /maint health.
 */
export async function benchTerminalMemory(): Promise<BenchResult> {
  const main = await compiledBot();
  const dir = await mkdtemp(join(tmpdir(), 'maintbot-bench-terminal-'));
  const loadAtStart = await loadAverage();
  try {
    const audit = `audit:\n  file: ${join(dir, 'audit.jsonl')}\n`;
    const hostOnly = join(dir, 'host-only.yaml');
    await writeFile(hostOnly, `chat:\n  console:\n    enabled: on\ntargets:\n  host:\n    mounts: ["/"]\n${audit}`);
    const shipped = await measureTerminal(main, join(main, '..', '..', 'config', 'default.yaml'), productionNodeFlags);
    const host = await measureTerminal(main, hostOnly, productionNodeFlags);
    const unflagged = await measureTerminal(main, join(main, '..', '..', 'config', 'default.yaml'), []);
    const limit = targetMb * 1_048_576;
    return {
      name: 'terminal memory',
      method:
        `The compiled bot (node dist/main.js, ${productionNodeFlags.join(' ')}) with only the terminal chat, on a pipe, as \`npm start\` runs it without chat tokens; ` +
        `every size is read in the bot's process after 1.5 s of quiet and 3 forced GCs (--expose-gc, bench/process-memory.mjs preloaded): ${idleMs / 1000} s after its banner, then after one /maint health.`,
      figures: [
        { label: 'resident size idle, config/default.yaml (host, local PostgreSQL and Redis)', value: mb(shipped.idle.rss), target: { text: `≤ ${targetMb} MB`, met: shipped.idle.rss <= limit } },
        { label: 'the same after /maint health (pg and ioredis loaded)', value: mb(shipped.afterHealth.rss) },
        { label: 'resident size idle, the host alone', value: mb(host.idle.rss), target: { text: `≤ ${targetMb} MB`, met: host.idle.rss <= limit } },
        { label: 'the same after /maint health', value: mb(host.afterHealth.rss) },
        { label: 'V8 heap used idle, config/default.yaml', value: mb(shipped.idle.heap) },
        { label: `resident size idle, config/default.yaml, without ${productionNodeFlags.join(' ')}`, value: mb(unflagged.idle.rss) },
      ],
      notes: [
        `without a forced GC (VmRSS ${idleMs / 1000} s after the banner): ${mb(shipped.resident)} on config/default.yaml, ${mb(host.resident)} with the host alone, ${mb(unflagged.resident)} without ${productionNodeFlags.join(' ')}`,
        `load average (1 min) ${loadAtStart} at the start, ${await loadAverage()} at the end: the machine is shared with other sessions`,
      ],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
