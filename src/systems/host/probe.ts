import { readFile, statfs } from 'node:fs/promises';
import os from 'node:os';
import { z } from 'zod';
import type { ProbeFinding } from '../../core/finding.js';
import type { Probe } from '../../core/probe.js';
import { checkLimitOrder, highLimitsText, judgeHigh, type LimitPair } from '../../core/judge.js';
import { targetNameSchema } from '../../core/target-name.js';
import { formatBytes, formatPercent, formatSeconds } from '../../render/units.js';
import { targetCommonFields } from '../../core/target-fields.js';

const percent = z.number().min(0).max(100);

const hostThresholdsSchema = z
  .object({
    disk_warn_pct: percent.default(80),
    disk_crit_pct: percent.default(95),
    memory_warn_pct: percent.default(75),
    memory_crit_pct: percent.default(90),
    load_per_core_warn: z.number().min(0).default(1.5),
    load_per_core_crit: z.number().min(0).default(3),
  })
  .strict();

type HostThresholds = z.output<typeof hostThresholdsSchema>;

const limitPairs: readonly LimitPair<HostThresholds>[] = [
  ['disk_warn_pct', 'disk_crit_pct', 'higher'],
  ['memory_warn_pct', 'memory_crit_pct', 'higher'],
  ['load_per_core_warn', 'load_per_core_crit', 'higher'],
];

/** The machine maintbot runs on: `targets.host` in the config. */
export const hostTargetSchema = z
  .object({
    name: targetNameSchema.default(() => os.hostname()),
    ...targetCommonFields,
    mounts: z.array(z.string().startsWith('/', 'expected an absolute path such as /var/lib/postgresql')).min(1).default(['/']),
    thresholds: hostThresholdsSchema
      .superRefine((thresholds, ctx) =>
        checkLimitOrder(thresholds, limitPairs, (problem) => ctx.addIssue({ code: 'custom', ...problem })),
      )
      .prefault({}),
  })
  .strict();

/** A validated host target, defaults filled in. */
export type HostTarget = z.output<typeof hostTargetSchema>;

/** Checks the local machine: disk usage per mount, memory, load per core and uptime. Never unreachable. */
export function createHostProbe(target: HostTarget): Probe {
  return {
    target: target.name,
    system: 'host',
    optional: false,
    async run(signal) {
      const lines: ProbeFinding[] = [];
      for (const mount of target.mounts) {
        signal.throwIfAborted();
        lines.push(await diskLine(mount, target.thresholds));
      }
      signal.throwIfAborted();
      lines.push(memoryLine(await readMemory(), target.thresholds), loadLine(target.thresholds), uptimeLine());
      return lines;
    },
  };
}

async function diskLine(mount: string, thresholds: HostThresholds): Promise<ProbeFinding> {
  const check = { checkId: 'host.disk', subject: mount, label: `disk ${mount}` };
  const limits = { warn: thresholds.disk_warn_pct, crit: thresholds.disk_crit_pct };
  const threshold = highLimitsText(limits, ' %');
  let stats;
  try {
    stats = await statfs(mount);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const why = code === 'ENOENT' ? 'not found' : code === 'EACCES' ? 'permission denied' : `cannot read (${String(code)})`;
    return {
      ...check,
      status: 'warn',
      text: `${mount}: ${why}`,
      threshold,
      note: 'check that the disk is mounted, or remove this mount from targets.host.mounts',
    };
  }
  const used = (stats.blocks - stats.bfree) * stats.bsize;
  const available = stats.bavail * stats.bsize;
  const usable = used + available;
  const usedPct = usable === 0 ? 0 : (used / usable) * 100;
  const status = judgeHigh(usedPct, limits);
  const line: ProbeFinding = {
    ...check,
    status,
    measure: { value: usedPct, unit: 'percent' },
    text: `${formatBytes(used)} of ${formatBytes(usable)} used (${formatPercent(usedPct)}), ${formatBytes(available)} free`,
    threshold,
  };
  if (status !== 'ok') {
    line.note = 'a full disk stops databases from writing: remove old logs, dumps and images, or grow the volume';
  }
  return line;
}

interface Memory {
  total: number;
  available: number;
  source: string;
}

async function readMemory(): Promise<Memory> {
  try {
    const text = await readFile('/proc/meminfo', 'utf8');
    const kib = (key: string): number | undefined => {
      const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
      return match?.[1] === undefined ? undefined : Number(match[1]) * 1024;
    };
    const total = kib('MemTotal');
    const available = kib('MemAvailable');
    if (total !== undefined && available !== undefined) return { total, available, source: 'MemAvailable' };
  } catch {
    // Not Linux: fall through to the free memory the OS reports.
  }
  return { total: os.totalmem(), available: os.freemem(), source: 'free memory' };
}

function memoryLine(memory: Memory, thresholds: HostThresholds): ProbeFinding {
  const used = memory.total - memory.available;
  const usedPct = memory.total === 0 ? 0 : (used / memory.total) * 100;
  const limits = { warn: thresholds.memory_warn_pct, crit: thresholds.memory_crit_pct };
  const status = judgeHigh(usedPct, limits);
  const line: ProbeFinding = {
    checkId: 'host.memory',
    status,
    measure: { value: usedPct, unit: 'percent' },
    label: 'memory',
    text: `${formatBytes(used)} of ${formatBytes(memory.total)} used (${formatPercent(usedPct)}), ${formatBytes(memory.available)} available`,
    threshold: `${highLimitsText(limits, ' %')} (judged on ${memory.source})`,
  };
  if (status !== 'ok') {
    line.note = 'when memory runs out the kernel kills the largest process, often the database: find what grew, or add memory';
  }
  return line;
}

function loadLine(thresholds: HostThresholds): ProbeFinding {
  const cores = os.availableParallelism();
  const [one = 0, five = 0, fifteen = 0] = os.loadavg();
  const perCore = five / cores;
  const limits = { warn: thresholds.load_per_core_warn, crit: thresholds.load_per_core_crit };
  const status = judgeHigh(perCore, limits);
  const line: ProbeFinding = {
    checkId: 'host.load',
    status,
    measure: { value: perCore, unit: 'ratio' },
    label: 'load',
    text: `${perCore.toFixed(2)} per core over 5 min (load ${one.toFixed(2)} / ${five.toFixed(2)} / ${fifteen.toFixed(2)} on ${cores} ${cores === 1 ? 'core' : 'cores'})`,
    threshold: `${highLimitsText(limits)} per core (5-minute average)`,
  };
  if (status !== 'ok') {
    line.note = 'more work is waiting than the cores can run, so everything slows down: find the busy process (top) or the stuck I/O';
  }
  return line;
}

function uptimeLine(): ProbeFinding {
  const uptime = os.uptime();
  return { checkId: 'host.uptime', status: 'ok', measure: { value: uptime, unit: 'seconds' }, label: 'uptime', text: formatSeconds(uptime) };
}
