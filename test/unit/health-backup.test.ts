import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProbeFinding } from '../../src/core/finding.js';
import { TargetUnreachable } from '../../src/core/probe.js';
import { backupTargetSchema, createBackupProbe, globToRegExp } from '../../src/systems/backups/probe.js';

const hour = 3_600_000;

function lineOf(lines: ProbeFinding[], label: string): ProbeFinding {
  const line = lines.find((candidate) => candidate.label === label);
  if (!line) throw new Error(`no "${label}" line in ${JSON.stringify(lines)}`);
  return line;
}

describe('backup probe', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'maintbot-backups-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function backup(name: string, bytes: number, hoursOld: number): Promise<void> {
    const file = path.join(dir, name);
    await writeFile(file, Buffer.alloc(bytes, 1));
    const when = new Date(Date.now() - hoursOld * hour);
    await utimes(file, when, when);
  }

  const run = (config: Record<string, unknown> = {}) =>
    createBackupProbe(backupTargetSchema.parse({ name: 'orders-backups', dir, pattern: '*.dump', ...config })).run(
      AbortSignal.timeout(5_000),
    );

  it('is ok when the newest backup is fresh and about the size of the previous one', async () => {
    await backup('orders-1.dump', 1_000, 25);
    await backup('orders-2.dump', 1_050, 1);
    const lines = await run();
    expect(lineOf(lines, 'newest backup')).toMatchObject({ checkId: 'backup.newest', status: 'ok', text: 'orders-2.dump, 1 h old', threshold: 'warn when older than 26 h' });
    expect(lineOf(lines, 'backup size')).toMatchObject({ status: 'ok', measure: { value: 1_050, unit: 'bytes' }, text: '1.0 KiB, 105 % of the previous (orders-1.dump, 1000 B)' });
  });

  it('warns when the newest backup is older than max_age_h', async () => {
    await backup('orders-1.dump', 1_000, 30);
    const age = lineOf(await run(), 'newest backup');
    expect(age.status).toBe('warn');
    expect(age.text).toBe('orders-1.dump, 1 d 6 h old');
    expect(age.note).toBeTruthy();
    expect(lineOf(await run({ thresholds: { max_age_h: 48 } }), 'newest backup').status).toBe('ok');
  });

  it('warns when the newest backup is under size_drop_warn_pct of the previous one', async () => {
    await backup('orders-1.dump', 1_000, 25);
    await backup('orders-2.dump', 400, 1);
    const size = lineOf(await run(), 'backup size');
    expect(size.status).toBe('warn');
    expect(size.text).toContain('40 % of the previous');
    expect(size.threshold).toBe('crit when empty; warn under 50 % of the previous backup');
  });

  it('is critical when the newest backup is an empty file', async () => {
    await backup('orders-1.dump', 1_000, 25);
    await backup('orders-2.dump', 0, 1);
    expect(lineOf(await run(), 'backup size')).toMatchObject({ status: 'crit', text: 'orders-2.dump is empty (0 bytes)' });
  });

  it('is critical when no file matches, naming the directory and the pattern', async () => {
    await backup('notes.txt', 10, 1);
    await mkdir(path.join(dir, 'old.dump'));
    const lines = await run();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ status: 'crit', label: 'newest backup', text: `no file matching *.dump in ${dir}` });
  });

  it('is critical when the directory is missing, and skipped through TargetUnreachable when optional', async () => {
    const missing = path.join(dir, 'not-mounted');
    const lines = await run({ dir: missing });
    expect(lines).toEqual([expect.objectContaining({ status: 'crit', checkId: 'backup.directory', label: 'backup directory', text: `${missing}: not found` })]);
    await expect(run({ dir: missing, optional: true })).rejects.toThrow(TargetUnreachable);
  });

  it('matches * and ? only, every other character literally', () => {
    const matcher = globToRegExp('db-?.dump');
    expect(['db-1.dump', 'db-x.dump'].every((name) => matcher.test(name))).toBe(true);
    expect(['db-10.dump', 'db-1xdump', 'db-1.dump.tmp'].some((name) => matcher.test(name))).toBe(false);
    expect(globToRegExp('a+(b)*.sql').test('a+(b)-2024.sql')).toBe(true);
    expect(globToRegExp('a+(b)*.sql').test('aa(b).sql')).toBe(false);
  });

  it('rejects a pattern with a directory in it', () => {
    const result = backupTargetSchema.safeParse({ name: 'b', dir, pattern: 'nightly/*.dump' });
    expect(result.error?.issues[0]?.message).toBe("expected a file name pattern such as '*.dump' (only * and ?, no directories)");
  });
});
