import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PrometheusMetrics } from '../../src/observability/prometheus-metrics.js';
import { backupFileName, sidecarsOf } from '../../src/systems/postgres/backup/files.js';
import { backupFacts } from '../../src/systems/postgres/backup/last-restore-test.js';
import { postgresTargetSchema } from '../../src/systems/postgres/probe.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();

describe('backup and restore-test metrics', () => {
  it('exposes per target the newest backup, its size, the newest restore test duration and the last passing restore test', async () => {
    const dir = await tempDir();
    const target = postgresTargetSchema.parse({ name: 'main-db', url: 'postgres://postgres@127.0.0.1:5432/shop', backup: { dir } });
    const empty = postgresTargetSchema.parse({ name: 'empty-db', url: 'postgres://postgres@127.0.0.1:5432/other', backup: { dir } });
    const older = join(dir, backupFileName('main-db', 'shop', new Date('2026-11-20T02:00:00Z')));
    const newer = join(dir, backupFileName('main-db', 'shop', new Date('2026-11-21T02:00:00Z')));
    await writeFile(older, 'PGDMP old');
    await writeFile(newer, 'PGDMP newest dump');
    await utimes(newer, new Date('2026-11-21T02:05:00Z'), new Date('2026-11-21T02:05:00Z'));
    const entry = (at: string, outcome: string, durationMs: number) => JSON.stringify({ at, target: 'main-db', dump: 'x', outcome, duration_ms: durationMs, checks: [] });
    await writeFile(sidecarsOf(older).history, `${entry('2026-11-20T07:00:00.000Z', 'passed', 40_000)}\n`);
    await writeFile(sidecarsOf(newer).history, `${entry('2026-11-21T07:00:00.000Z', 'failed', 2_500)}\n${entry('2026-11-21T08:00:00.000Z', 'interrupted', 900)}\n`);

    const metrics = new PrometheusMetrics();
    metrics.watchBackups(() => backupFacts([target, empty]));
    const text = await metrics.text();
    expect(text).toContain(`maintbot_backup_last_success_timestamp_seconds{target="main-db"} ${Date.parse('2026-11-21T02:05:00Z') / 1000}`);
    expect(text).toContain('maintbot_backup_size_bytes{target="main-db"} 17');
    expect(text).toContain('maintbot_restore_test_duration_seconds{target="main-db"} 2.5');
    expect(text).toContain(`maintbot_restore_test_last_success_timestamp_seconds{target="main-db"} ${Date.parse('2026-11-20T07:00:00Z') / 1000}`);
    expect(text).not.toContain('target="empty-db"');
  });
});
