import { statfs } from 'node:fs/promises';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import type { ProbeFinding } from '../../src/core/finding.js';
import { createHostProbe, hostTargetSchema } from '../../src/systems/host/probe.js';
import { judgeHigh } from '../../src/core/judge.js';
import { formatBytes } from '../../src/render/units.js';

function lineOf(lines: ProbeFinding[], label: string): ProbeFinding {
  const line = lines.find((candidate) => candidate.label === label);
  if (!line) throw new Error(`no "${label}" line in ${JSON.stringify(lines)}`);
  return line;
}

function percentIn(value: string): number {
  const match = /\(([\d.]+) %\)/.exec(value);
  if (!match?.[1]) throw new Error(`no percentage in "${value}"`);
  return Number(match[1]);
}

const run = (config: Record<string, unknown> = {}) =>
  createHostProbe(hostTargetSchema.parse(config)).run(AbortSignal.timeout(5_000));

describe('host probe', () => {
  it('is named after the machine and checks / by default', () => {
    const target = hostTargetSchema.parse({});
    expect(target.name).toBe(os.hostname());
    expect(target.mounts).toEqual(['/']);
    expect(target.thresholds).toEqual({
      disk_warn_pct: 80,
      disk_crit_pct: 95,
      memory_warn_pct: 75,
      memory_crit_pct: 90,
      load_per_core_warn: 1.5,
      load_per_core_crit: 3,
    });
  });

  it('reports this machine’s real disk, memory, load and uptime, judged by the default thresholds', async () => {
    const lines = await run();
    expect(lines.map((line) => line.label)).toEqual(['disk /', 'memory', 'load', 'uptime']);

    const disk = lineOf(lines, 'disk /');
    const root = await statfs('/');
    const usable = (root.blocks - root.bfree + root.bavail) * root.bsize;
    expect(disk.text).toContain(`of ${formatBytes(usable)} used`);
    expect(disk.status).toBe(judgeHigh(percentIn(disk.text), { warn: 80, crit: 95 }));
    expect(disk.threshold).toBe('warn at 80 %, crit at 95 %');
    expect(disk).toMatchObject({ checkId: 'host.disk', subject: '/', measure: { unit: 'percent' } });
    expect(disk.status).toBe(judgeHigh(disk.measure!.value, { warn: 80, crit: 95 }));

    const memory = lineOf(lines, 'memory');
    expect(memory.text).toContain(`of ${formatBytes(os.totalmem())} used`);
    expect(memory.status).toBe(judgeHigh(percentIn(memory.text), { warn: 75, crit: 90 }));

    const load = lineOf(lines, 'load');
    expect(load.text).toContain(`on ${os.availableParallelism()} core`);
    expect(load.status).toBe(judgeHigh(Number.parseFloat(load.text), { warn: 1.5, crit: 3 }));

    expect(lineOf(lines, 'uptime').text).toMatch(/^\d+ (s|min|h|d)/);
  });

  it('reports a configured mount that does not exist as a warning naming it, and still checks the rest', async () => {
    const lines = await run({ mounts: ['/', '/mnt/maintbot-no-such-disk'] });
    const missing = lineOf(lines, 'disk /mnt/maintbot-no-such-disk');
    expect(missing.status).toBe('warn');
    expect(missing.text).toBe('/mnt/maintbot-no-such-disk: not found');
    expect(missing.note).toContain('targets.host.mounts');
    expect(lineOf(lines, 'disk /').status).not.toBe('unknown');
    expect(lineOf(lines, 'memory')).toBeDefined();
  });

  it('judges with the configured thresholds: at 0 every figure is critical', async () => {
    const lines = await run({
      thresholds: {
        disk_warn_pct: 0,
        disk_crit_pct: 0,
        memory_warn_pct: 0,
        memory_crit_pct: 0,
        load_per_core_warn: 0,
        load_per_core_crit: 0,
      },
    });
    for (const label of ['disk /', 'memory', 'load']) {
      const line = lineOf(lines, label);
      expect(line.status).toBe('crit');
      expect(line.note).toBeTruthy();
    }
    expect(lineOf(lines, 'disk /').threshold).toBe('warn at 0 %, crit at 0 %');
  });

  it('rejects a relative mount, an unknown key and a warn limit above its crit limit', () => {
    const result = hostTargetSchema.safeParse({ mounts: ['data'], thresholds: { disk_warn_pct: 96, inodes: 1 } });
    expect(result.success).toBe(false);
    const messages = result.error?.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        'mounts.0: expected an absolute path such as /var/lib/postgresql',
        'thresholds: Unrecognized key: "inodes"',
      ]),
    );
    const misordered = hostTargetSchema.safeParse({ thresholds: { disk_warn_pct: 96 } });
    expect(misordered.error?.issues[0]?.message).toBe('disk_warn_pct (96) must not be above disk_crit_pct (95)');
  });
});
