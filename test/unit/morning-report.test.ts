import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastRestoreTest } from '../../src/systems/postgres/backup/last-restore-test.js';
import { backupFileName, sidecarsOf } from '../../src/systems/postgres/backup/files.js';
import type { Report, ReportLine } from '../../src/core/report.js';
import { postgresTargetSchema } from '../../src/systems/postgres/probe.js';
import { morningReport } from '../../src/reports/morning.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();
const day = 86_400_000;

function health(postgresLines: ReportLine[], size: string): Report {
  const lines = [...postgresLines, { status: 'ok' as const, label: 'database size (shop)', value: size }];
  const status = lines.some((line) => line.status === 'crit') ? 'crit' : lines.some((line) => line.status === 'warn') ? 'warn' : 'ok';
  return {
    kind: 'report',
    title: 'Health',
    status,
    summary: status === 'ok' ? 'all 2 targets ok' : '1 of 2 targets needs attention',
    sections: [
      { title: 'main-db (postgres)', status, lines },
      { title: 'nightly (backup)', status: 'ok', lines: [{ status: 'ok', label: 'newest backup', value: 'shop.dump, 3 h old, 1.2 GiB' }] },
    ],
  };
}

const longQuery: ReportLine = { status: 'warn', label: 'long-running queries', value: '1 over 5 s' };
const deadTuples: ReportLine = { status: 'crit', label: 'dead tuples (shop)', value: 'orders 41 %' };

function section(report: Report, title: string) {
  const found = report.sections.find((candidate) => candidate.title === title);
  if (!found) throw new Error(`no section "${title}" in: ${report.sections.map((s) => s.title).join(', ')}`);
  return found;
}

describe('the morning report', () => {
  it('says what changed since the previous report: new problems, worse ones and resolved ones', async () => {
    const store = new MemoryStore();
    const first = await morningReport(health([longQuery], '1.0 GiB'), store, new Date('2026-11-20T09:00:00Z'));
    expect(first.title).toBe('Morning report');
    expect(first.status).toBe('warn');
    expect(section(first, 'Since the last report').lines[0]).toMatchObject({ label: 'first report', value: '1 problem now; changes show from tomorrow' });

    const second = await morningReport(health([deadTuples], '1.0 GiB'), store, new Date('2026-11-21T09:00:00Z'));
    const changes = section(second, 'Since the last report').lines.map((line) => `${line.label}: ${line.value}`);
    expect(changes).toEqual(['new: main-db (postgres) · dead tuples (shop): orders 41 %', 'resolved: main-db (postgres) · long-running queries: 1 over 5 s']);
    expect(section(second, 'Top problems').lines[0]).toMatchObject({ status: 'crit', label: 'main-db (postgres) · dead tuples (shop)' });
  });

  it('shows database growth over 7 days once a week of sizes is recorded', async () => {
    const store = new MemoryStore();
    const now = Date.parse('2026-11-22T09:00:00Z');
    await morningReport(health([], '1.0 GiB'), store, new Date(now - 7 * day));
    const report = await morningReport(health([], '1.5 GiB'), store, new Date(now));
    const growth = report.sections.find((candidate) => candidate.title === 'Database size, 7 days');
    expect(growth, JSON.stringify(report.sections.map((s) => s.title))).toBeDefined();
    expect(JSON.stringify(growth)).toMatch(/shop/);
    expect(JSON.stringify(growth)).toMatch(/512(\.0)? MiB|\+50 %|0\.5 GiB/);
  });

  it('shows the newest backup and the last restore test recorded beside the dumps', async () => {
    const dir = await tempDir();
    const target = postgresTargetSchema.parse({ name: 'main-db', url: 'postgres://postgres@127.0.0.1:5432/shop', backup: { dir } });
    const older = join(dir, backupFileName('main-db', 'shop', new Date('2026-11-20T02:00:00Z')));
    const newer = join(dir, backupFileName('main-db', 'shop', new Date('2026-11-21T02:00:00Z')));
    for (const dump of [older, newer]) await writeFile(dump, 'PGDMP');
    await writeFile(sidecarsOf(older).restoreTest, JSON.stringify({ at: '2026-11-20T07:00:00Z', passed: true, duration_ms: 41_000 }));
    await writeFile(sidecarsOf(newer).restoreTest, JSON.stringify({ at: '2026-11-21T07:00:00Z', passed: false, reason: 'checksum mismatch', duration_ms: 2_000 }));

    const report = await morningReport(health([], '1 GiB'), new MemoryStore(), new Date('2026-11-22T09:00:00Z'), () => lastRestoreTest([target]));
    const backups = section(report, 'Backups').lines;
    expect(backups[0]).toMatchObject({ status: 'ok', label: 'nightly', value: 'shop.dump, 3 h old, 1.2 GiB' });
    expect(backups[1]).toMatchObject({ status: 'crit', label: 'last restore test', note: 'checksum mismatch' });
    expect(backups[1]!.value).toMatch(/^FAILED on main-db .* ago, restore took /);
  });

  it('puts the detail behind a Show details button running the verbose health report', async () => {
    const report = await morningReport(health([], '1 GiB'), new MemoryStore(), new Date());
    expect(report.buttons).toEqual([{ label: 'Show details', command: 'health --verbose' }]);
    expect(section(report, 'Backups').lines.at(-1)).toMatchObject({ status: 'unknown', value: 'none recorded: /maint restore-test runs one' });
  });
});
