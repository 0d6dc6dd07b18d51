import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { PrometheusMetrics } from '../../src/observability/prometheus-metrics.js';

/** The value of `maintbot_commands_total{command, outcome}`, or 0 when that series does not exist. */
export async function commandsCounted(metrics: PrometheusMetrics, command: string, outcome: string): Promise<number> {
  const wanted = `maintbot_commands_total{command="${command}",outcome="${outcome}"} `;
  const line = (await metrics.text()).split('\n').find((candidate) => candidate.startsWith(wanted));
  return line === undefined ? 0 : Number(line.slice(wanted.length));
}

/** Flips 16 bytes in the middle of the only dump in `dir`, so its recorded sha256 no longer matches; returns its name. */
export async function damageTheDump(dir: string): Promise<string> {
  const dumps = (await readdir(dir)).filter((name) => name.endsWith('.dump'));
  if (dumps.length !== 1) throw new Error(`expected one dump in ${dir}, found: ${dumps.join(', ') || 'none'}`);
  const handle = await open(join(dir, dumps[0]!), 'r+');
  try {
    const { size } = await handle.stat();
    const middle = Buffer.alloc(16);
    await handle.read(middle, 0, 16, Math.floor(size / 2));
    await handle.write(middle.map((byte) => byte ^ 0xff), 0, 16, Math.floor(size / 2));
  } finally {
    await handle.close();
  }
  return dumps[0]!;
}
