import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastRestoreTest, restoreTimes } from '../../src/systems/postgres/backup/last-restore-test.js';
import { backupFileName, sidecarsOf } from '../../src/systems/postgres/backup/files.js';
import { renderHealthReport } from '../../src/checks/render.js';
import type { HealthCheck } from '../../src/checks/runner.js';
import { checkIds, type Finding } from '../../src/core/finding.js';
import type { Report } from '../../src/core/report.js';
import { formatBytes } from '../../src/render/units.js';
import { postgresTargetSchema } from '../../src/systems/postgres/probe.js';
import { morningReport } from '../../src/reports/morning.js';
import { MemoryStore } from '../../src/store/memory-store.js';
import { useTempDir } from '../support/temp.js';

const tempDir = useTempDir();
const day = 86_400_000;

const GiB = 1024 ** 3;

function sizeOf(bytes: number, text = formatBytes(bytes)): Finding {
  return { checkId: checkIds.databaseSize, target: 'main-db', system: 'postgres', subject: 'shop', status: 'ok', measure: { value: bytes, unit: 'bytes' }, label: 'database size (shop)', text };
}

const newestBackup: Finding = { checkId: checkIds.newestBackup, target: 'nightly', system: 'backup', status: 'ok', label: 'newest backup', text: 'shop.dump, 3 h old, 1.2 GiB' };

function health(postgresFindings: Finding[], size: Finding | number, backups: Finding[] = [newestBackup]): HealthCheck {
  const findings = [...postgresFindings, typeof size === 'number' ? sizeOf(size) : size, ...backups];
  return { report: renderHealthReport(findings, { verbose: true }), findings };
}

const longQuery: Finding = { checkId: 'postgres.long_queries', target: 'main-db', system: 'postgres', status: 'warn', label: 'long-running queries', text: '1 over 5 s' };
const deadTuples: Finding = { checkId: 'postgres.dead_tuples', target: 'main-db', system: 'postgres', subject: 'shop', status: 'crit', label: 'dead tuples (shop)', text: 'orders 41 %' };

function section(report: Report, title: string) {
  const found = report.sections.find((candidate) => candidate.title === title);
  if (!found) throw new Error(`no section "${title}" in: ${report.sections.map((s) => s.title).join(', ')}`);
  return found;
}

describe('the morning report', () => {
  it('says what changed since the previous report: new problems, worse ones and resolved ones', async () => {
    const store = new MemoryStore();
    const first = await morningReport(health([longQuery], GiB), store, new Date('2026-11-20T09:00:00Z'));
    expect(first.title).toBe('Morning report');
    expect(first.status).toBe('warn');
    expect(section(first, 'Since the last report').lines[0]).toMatchObject({ label: 'first report', value: '1 problem now; changes show from tomorrow' });

    const second = await morningReport(health([deadTuples], GiB), store, new Date('2026-11-21T09:00:00Z'));
    const changes = section(second, 'Since the last report').lines.map((line) => `${line.label}: ${line.value}`);
    expect(changes).toEqual(['new: main-db (postgres) · dead tuples (shop): orders 41 %', 'resolved: main-db (postgres) · long-running queries: 1 over 5 s']);
    expect(section(second, 'Top problems').lines[0]).toMatchObject({ status: 'crit', label: 'main-db (postgres) · dead tuples (shop)' });
  });

  it('shows database growth over 7 days once a week of sizes is recorded', async () => {
    const store = new MemoryStore();
    const now = Date.parse('2026-11-22T09:00:00Z');
    await morningReport(health([], GiB), store, new Date(now - 7 * day));
    const report = await morningReport(health([], 1.5 * GiB), store, new Date(now));
    const growth = report.sections.find((candidate) => candidate.title === 'Database size, 7 days');
    expect(growth, JSON.stringify(report.sections.map((s) => s.title))).toBeDefined();
    expect(JSON.stringify(growth)).toMatch(/shop/);
    expect(JSON.stringify(growth)).toMatch(/512(\.0)? MiB|\+50 %|0\.5 GiB/);
  });

  it('reads database growth from the size findings\' measures, whatever their display text looks like', async () => {
    const store = new MemoryStore();
    const now = Date.parse('2026-11-22T09:00:00Z');
    await morningReport(health([], sizeOf(GiB, '1.0 GiB')), store, new Date(now - 7 * day));
    const report = await morningReport(health([], sizeOf(1.5 * GiB + 1234, '1,610,613,970 bytes on disk')), store, new Date(now));
    expect(section(report, 'Database size, 7 days').lines).toEqual([
      { status: 'ok', label: 'main-db/shop', value: '1.5 GiB now, +512 MiB in 7 d' },
    ]);
  });

  it('lists each backup target by its check id, whatever its line is called', async () => {
    const renamed: Finding = { ...newestBackup, target: 'offsite', label: 'latest dump', text: 'shop.dump, 5 h old' };
    const lookalike: Finding = { checkId: 'postgres.newest_row', target: 'main-db', system: 'postgres', status: 'ok', label: 'newest backup', text: 'not a backup' };
    const report = await morningReport(health([lookalike], GiB, [renamed]), new MemoryStore(), new Date('2026-11-22T09:00:00Z'));
    expect(section(report, 'Backups').lines[0]).toEqual({ status: 'ok', label: 'offsite', value: 'shop.dump, 5 h old' });
    expect(section(report, 'Backups').lines).toHaveLength(2);
  });

  it('shows the newest backup and the last restore test recorded beside the dumps', async () => {
    const dir = await tempDir();
    const target = postgresTargetSchema.parse({ name: 'main-db', url: 'postgres://postgres@127.0.0.1:5432/shop', backup: { dir } });
    const older = join(dir, backupFileName('main-db', 'shop', new Date('2026-11-20T02:00:00Z')));
    const newer = join(dir, backupFileName('main-db', 'shop', new Date('2026-11-21T02:00:00Z')));
    for (const dump of [older, newer]) await writeFile(dump, 'PGDMP');
    await writeFile(sidecarsOf(older).restoreTest, JSON.stringify({ at: '2026-11-20T07:00:00Z', passed: true, duration_ms: 41_000 }));
    await writeFile(sidecarsOf(newer).restoreTest, JSON.stringify({ at: '2026-11-21T07:00:00Z', passed: false, reason: 'checksum mismatch', duration_ms: 2_000 }));

    const report = await morningReport(health([], GiB), new MemoryStore(), new Date('2026-11-22T09:00:00Z'), () => lastRestoreTest([target]));
    const backups = section(report, 'Backups').lines;
    expect(backups[0]).toMatchObject({ status: 'ok', label: 'nightly', value: 'shop.dump, 3 h old, 1.2 GiB' });
    expect(backups[1]).toMatchObject({ status: 'crit', label: 'last restore test', note: 'checksum mismatch' });
    expect(backups[1]!.value).toMatch(/^FAILED on main-db .* ago, restore took /);
  });

  it('shows the last five restore times of each target from the history beside the dumps, skipping interrupted tests', async () => {
    const dir = await tempDir();
    const target = postgresTargetSchema.parse({ name: 'main-db', url: 'postgres://postgres@127.0.0.1:5432/shop', backup: { dir } });
    const older = join(dir, backupFileName('main-db', 'shop', new Date('2026-11-15T02:00:00Z')));
    const newer = join(dir, backupFileName('main-db', 'shop', new Date('2026-11-16T02:00:00Z')));
    for (const dump of [older, newer]) await writeFile(dump, 'PGDMP');
    await writeFile(sidecarsOf(older).restoreTest, JSON.stringify({ at: '2026-11-15T07:00:00Z', passed: true, duration_ms: 10_000 }));
    const entry = (day: number, outcome: string, restoreMs: number) =>
      JSON.stringify({ at: `2026-11-${day}T07:00:00.000Z`, target: 'main-db', dump: 'x', outcome, restore_ms: restoreMs, duration_ms: restoreMs + 500, checks: [], on_production_server: true });
    const lines = [entry(16, 'passed', 11_000), entry(17, 'passed', 12_000), entry(18, 'interrupted', 99_000), entry(19, 'failed', 13_000), entry(20, 'passed', 14_000), entry(21, 'passed', 15_000)];
    await writeFile(sidecarsOf(newer).history, `${lines.join('\n')}\n`);

    const report = await morningReport(health([], GiB), new MemoryStore(), new Date('2026-11-22T09:00:00Z'), async () => undefined, () => restoreTimes([target]));
    expect(section(report, 'Backups').lines.at(-1)).toEqual({
      status: 'ok',
      label: 'restore times of main-db',
      value: 'last 5: 11.0 s, 12.0 s, 13.0 s, 14.0 s, 15.0 s',
      note: 'the newest ran on the production server',
    });
  });

  it('puts the detail behind a Show details button running the verbose health report', async () => {
    const report = await morningReport(health([], GiB), new MemoryStore(), new Date());
    expect(report.buttons).toEqual([{ label: 'Show details', command: 'health --verbose' }]);
    expect(section(report, 'Backups').lines.at(-1)).toMatchObject({ status: 'unknown', value: 'none recorded: /maint restore-test runs one' });
  });
});
