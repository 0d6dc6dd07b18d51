import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { checkIds, type ProbeFinding } from '../../core/finding.js';
import { TargetUnreachable, type Probe } from '../../core/probe.js';
import { globToRegExp } from '../../core/glob.js';
import { targetNameSchema } from '../../core/target-name.js';
import { formatBytes, formatPercent, formatSeconds } from '../../render/units.js';
import { targetCommonFields } from '../../core/target-fields.js';

const backupThresholdsSchema = z
  .object({
    max_age_h: z.number().positive().default(26),
    size_drop_warn_pct: z.number().min(0).max(100).default(50),
  })
  .strict();

type BackupThresholds = z.output<typeof backupThresholdsSchema>;

/** One backup directory to check: `targets.backups[]` in the config. */
export const backupTargetSchema = z
  .object({
    name: targetNameSchema,
    dir: z.string().min(1, 'expected the directory the backups are written to'),
    pattern: z
      .string()
      .min(1)
      .regex(/^[^/\\]+$/, "expected a file name pattern such as '*.dump' (only * and ?, no directories)"),
    optional: z.boolean().default(false),
    ...targetCommonFields,
    thresholds: backupThresholdsSchema.prefault({}),
  })
  .strict();

export { globToRegExp } from '../../core/glob.js';

/** A validated backup target, defaults filled in. */
export type BackupTarget = z.output<typeof backupTargetSchema>;

interface BackupFile {
  name: string;
  size: number;
  mtimeMs: number;
}

/**
 * Checks the newest file matching a pattern in a directory: its age and its size against the previous one.
 * A missing directory is a crit line, or skipped when the target is optional.
 */
export function createBackupProbe(target: BackupTarget): Probe {
  const matcher = globToRegExp(target.pattern);
  const where = `${target.pattern} in ${target.dir}`;
  return {
    target: target.name,
    system: 'backup',
    optional: target.optional,
    async run(signal) {
      let names: string[];
      try {
        names = await readdir(target.dir);
      } catch (error) {
        const missing = (error as { code?: unknown }).code === 'ENOENT';
        if (missing && target.optional) throw new TargetUnreachable(`directory ${target.dir} not found`);
        return [directoryLine(target.dir, error)];
      }
      signal.throwIfAborted();
      const files = await matchingFiles(target.dir, names.filter((name) => matcher.test(name)), signal);
      const [newest, previous] = files.sort((a, b) => b.mtimeMs - a.mtimeMs);
      if (newest === undefined) {
        return [
          {
            checkId: checkIds.newestBackup,
            status: 'crit',
            label: 'newest backup',
            text: `no file matching ${where}`,
            threshold: 'crit when there is no backup',
            note: 'no backup to restore from: check that the backup job runs and writes here',
          },
        ];
      }
      return [ageLine(newest, target.thresholds), sizeLine(newest, previous, target.thresholds)];
    },
  };
}

async function matchingFiles(dir: string, names: string[], signal: AbortSignal): Promise<BackupFile[]> {
  const files: BackupFile[] = [];
  for (const name of names) {
    signal.throwIfAborted();
    try {
      const stats = await stat(path.join(dir, name));
      if (stats.isFile()) files.push({ name, size: stats.size, mtimeMs: stats.mtimeMs });
    } catch {
      // Removed between readdir and stat, e.g. by a rotation job: not a backup any more.
    }
  }
  return files;
}

function directoryLine(dir: string, error: unknown): ProbeFinding {
  const code = (error as { code?: unknown }).code;
  const why =
    code === 'ENOENT'
      ? 'not found'
      : code === 'EACCES'
        ? 'permission denied'
        : code === 'ENOTDIR'
          ? 'not a directory'
          : `cannot be read (${String(code)})`;
  return {
    checkId: checkIds.backupDirectory,
    status: 'crit',
    label: 'backup directory',
    text: `${dir}: ${why}`,
    threshold: 'crit when the directory cannot be read',
    note: 'no backup can be checked: check the path in targets.backups and that the disk holding it is mounted',
  };
}

function ageLine(newest: BackupFile, thresholds: BackupThresholds): ProbeFinding {
  const ageS = (Date.now() - newest.mtimeMs) / 1000;
  const tooOld = ageS > thresholds.max_age_h * 3600;
  const line: ProbeFinding = {
    checkId: checkIds.newestBackup,
    status: tooOld ? 'warn' : 'ok',
    measure: { value: ageS, unit: 'seconds' },
    label: 'newest backup',
    text: `${newest.name}, ${formatSeconds(ageS)} old`,
    threshold: `warn when older than ${thresholds.max_age_h} h`,
  };
  if (tooOld) line.note = 'the backup job has missed its run: check the job, its logs and the space it writes to';
  return line;
}

function sizeLine(newest: BackupFile, previous: BackupFile | undefined, thresholds: BackupThresholds): ProbeFinding {
  const threshold = `crit when empty; warn under ${thresholds.size_drop_warn_pct} % of the previous backup`;
  const check = { checkId: 'backup.size', label: 'backup size', measure: { value: newest.size, unit: 'bytes' } } as const;
  if (newest.size === 0) {
    return {
      ...check,
      status: 'crit',
      text: `${newest.name} is empty (0 bytes)`,
      threshold,
      note: 'the last backup failed: run it by hand and read its errors',
    };
  }
  if (previous === undefined) {
    return { ...check, status: 'ok', text: `${formatBytes(newest.size)}, no previous backup to compare`, threshold };
  }
  const ratioPct = previous.size === 0 ? 100 : (newest.size / previous.size) * 100;
  const dropped = ratioPct < thresholds.size_drop_warn_pct;
  const line: ProbeFinding = {
    ...check,
    status: dropped ? 'warn' : 'ok',
    text: `${formatBytes(newest.size)}, ${formatPercent(ratioPct)} of the previous (${previous.name}, ${formatBytes(previous.size)})`,
    threshold,
  };
  if (dropped) line.note = 'a backup much smaller than the last one may be truncated: run a restore test (/maint restore-test)';
  return line;
}
