import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import type { AuditEvent } from '../../src/audit/audit-trail.js';
import type { PrometheusMetrics } from '../../src/observability/prometheus-metrics.js';

/** The value of `maintbot_commands_total{command, outcome}`, or 0 when that series does not exist. */
export async function commandsCounted(metrics: PrometheusMetrics, command: string, outcome: string): Promise<number> {
  const wanted = `maintbot_commands_total{command="${command}",outcome="${outcome}"} `;
  const line = (await metrics.text()).split('\n').find((candidate) => candidate.startsWith(wanted));
  return line === undefined ? 0 : Number(line.slice(wanted.length));
}

/** Flips 16 bytes in the middle of the only dump in `dir`, so its recorded checksums (XXH64, sha256) no longer match; returns its name. */
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

/**
 * The `approve <id>` command rows by outcome: a requester's own click is `denied`, the click that completed
 * the approvals has the outcome of the run it resumed, a click on a request already decided is `no-op`.
 */
export function approveOutcomes(events: readonly AuditEvent[], id: string): Record<'ok' | 'no-op' | 'denied', AuditEvent[]> {
  const rows = events.filter((event) => event.kind === 'command' && event.command === `approve ${id}`);
  const byOutcome = (outcome: string) => rows.filter((event) => event.outcome === outcome);
  return { ok: byOutcome('ok'), 'no-op': byOutcome('no-op'), denied: byOutcome('denied') };
}

/** A table `hotels` of 2,000 rows in the database at `url`, so that a dump of it has a body to damage. */
export async function createHotels(url: string): Promise<void> {
  const db = new pg.Client(url);
  await db.connect();
  try {
    await db.query('CREATE TABLE hotels (id int primary key, name text); INSERT INTO hotels SELECT g, md5(g::text) FROM generate_series(1, 2000) g');
  } finally {
    await db.end();
  }
}
