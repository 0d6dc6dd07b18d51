import { mkdir, truncate, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProbeFinding } from '../../src/core/finding.js';
import { TargetUnreachable } from '../../src/core/probe.js';
import { createLogFoldersProbe, logFoldersTargetSchema } from '../../src/systems/logs/probe.js';
import { useTempDir } from '../support/temp.js';

const day = 86_400_000;
const mb = 1024 * 1024;
const tempDir = useTempDir();

/** A log file of `bytes` (sparse, so a big one takes no disk), last written `daysOld` days ago. */
async function logFile(dir: string, name: string, bytes: number, daysOld = 0): Promise<void> {
  const file = path.join(dir, name);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, 'line\n');
  await truncate(file, bytes);
  const when = new Date(Date.now() - daysOld * day);
  await utimes(file, when, when);
}

function lineOf(lines: ProbeFinding[], checkId: string): ProbeFinding {
  const line = lines.find((candidate) => candidate.checkId === checkId);
  if (!line) throw new Error(`no ${checkId} line in ${JSON.stringify(lines)}`);
  return line;
}

const run = (config: Record<string, unknown>) => createLogFoldersProbe(logFoldersTargetSchema.parse({ name: 'app-logs', ...config })).run(AbortSignal.timeout(10_000));

describe('log-folders probe', () => {
  it('is ok for a small, young folder, each line with its figure and threshold', async () => {
    const dir = await tempDir();
    await logFile(dir, 'app.log', 2048);
    await logFile(dir, 'app.log.1', 1024, 2);
    await logFile(dir, 'notes.txt', 50 * mb);
    const lines = await run({ dirs: [dir] });
    expect(lines.map((line) => line.status)).toEqual(['ok', 'ok', 'ok']);
    expect(lineOf(lines, 'logs.total_size')).toMatchObject({ text: '3.0 KiB in 2 *.log* files', threshold: 'warn at 1024 MB, crit at 5120 MB', measure: { value: 3072, unit: 'bytes' } });
    expect(lineOf(lines, 'logs.big_files')).toMatchObject({ text: 'none', threshold: 'warn at 1, crit at 5 files over 100 MB' });
    expect(lineOf(lines, 'logs.oldest_file')).toMatchObject({ text: 'app.log.1, last written 2 days ago', threshold: 'warn at 30 days, crit at 90 days' });
  });

  it('warns on a file over 100 MB in a subfolder, a folder over its total and a month-old file, saying why', async () => {
    const dir = await tempDir();
    await logFile(dir, 'worker/worker.log', 101 * mb);
    await logFile(dir, 'old.log.3', 10, 40);
    const lines = await run({ dirs: [dir], thresholds: { total_warn_mb: 100, total_crit_mb: 200 } });
    const big = lineOf(lines, 'logs.big_files');
    expect(big).toMatchObject({ status: 'warn', text: `1, the largest ${path.join('worker', 'worker.log')} at 101 MiB`, measure: { value: 1, unit: 'count' } });
    expect(big.note).toContain('rotate at 100 MB');
    expect(lineOf(lines, 'logs.total_size')).toMatchObject({ status: 'warn', threshold: 'warn at 100 MB, crit at 200 MB' });
    const oldest = lineOf(lines, 'logs.oldest_file');
    expect(oldest).toMatchObject({ status: 'warn', text: 'old.log.3, last written 40 days ago' });
    expect(oldest.note).toContain('compress after 30 days and delete after 90');
  });

  it('is crit at five files over the size and a file past the delete age', async () => {
    const dir = await tempDir();
    for (let index = 0; index < 5; index++) await logFile(dir, `api-${index}.log`, 150 * mb, index === 0 ? 100 : 0);
    const lines = await run({ dirs: [dir] });
    expect(lineOf(lines, 'logs.big_files')).toMatchObject({ status: 'crit', text: '5, the largest api-0.log at 150 MiB' });
    expect(lineOf(lines, 'logs.big_files').detail).toHaveLength(5);
    expect(lineOf(lines, 'logs.oldest_file').status).toBe('crit');
    expect(lineOf(lines, 'logs.total_size')).toMatchObject({ status: 'ok', text: '750 MiB in 5 *.log* files' });
  });

  it('judges each folder on its own lines, and a missing folder is crit', async () => {
    const dir = await tempDir();
    await logFile(dir, 'app.log', 10);
    const missing = path.join(dir, 'nope');
    const lines = await run({ dirs: [dir, missing], pattern: '*.log' });
    expect(lines.filter((line) => line.subject === dir)).toHaveLength(3);
    expect(lineOf(lines, 'logs.folder')).toMatchObject({ status: 'crit', subject: missing, text: `${missing} not found` });
  });

  it('skips an optional target whose folders do not exist', async () => {
    const dir = await tempDir();
    await expect(run({ dirs: [path.join(dir, 'nope')], optional: true })).rejects.toBeInstanceOf(TargetUnreachable);
  });

  it('refuses thresholds whose warn comes after crit', () => {
    const parsed = logFoldersTargetSchema.safeParse({ name: 'x', dirs: ['/tmp'], thresholds: { oldest_warn_days: 100, oldest_crit_days: 90 } });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toContain('oldest_warn_days (100) must not be above oldest_crit_days (90)');
  });
});
