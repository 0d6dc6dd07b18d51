import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { ProbeFinding } from '../../core/finding.js';
import { globToRegExp } from '../../core/glob.js';
import { checkLimitOrder, highLimitsText, judgeHigh, type LimitPair } from '../../core/judge.js';
import { TargetUnreachable, type Probe } from '../../core/probe.js';
import { targetNameSchema } from '../../core/target-name.js';
import { formatBytes } from '../../render/units.js';
import { targetCommonFields } from '../../core/target-fields.js';

const positive = z.number().positive();

const logThresholdsSchema = z
  .object({
    total_warn_mb: positive.default(1024),
    total_crit_mb: positive.default(5120),
    big_file_mb: positive.default(100),
    big_files_warn: z.number().int().min(1).default(1),
    big_files_crit: z.number().int().min(1).default(5),
    oldest_warn_days: positive.default(30),
    oldest_crit_days: positive.default(90),
  })
  .strict();

type LogThresholds = z.output<typeof logThresholdsSchema>;

const limitPairs: readonly LimitPair<LogThresholds>[] = [
  ['total_warn_mb', 'total_crit_mb', 'higher'],
  ['big_files_warn', 'big_files_crit', 'higher'],
  ['oldest_warn_days', 'oldest_crit_days', 'higher'],
];

/** One set of log folders to check: `targets.logs[]` in the config. */
export const logFoldersTargetSchema = z
  .object({
    name: targetNameSchema,
    dirs: z.array(z.string().min(1)).min(1, 'name at least one folder'),
    /** File names to count, `*` and `?` only; searched in every subfolder, as `find -name` does. */
    pattern: z.string().min(1).regex(/^[^/\\]+$/, "expected a file name pattern such as '*.log' (only * and ?, no folders)").default('*.log*'),
    optional: z.boolean().default(false),
    ...targetCommonFields,
    thresholds: logThresholdsSchema
      .superRefine((thresholds, ctx) => checkLimitOrder(thresholds, limitPairs, (problem) => ctx.addIssue({ code: 'custom', ...problem })))
      .prefault({}),
  })
  .strict();

/** A validated log-folders target, defaults filled in. */
export type LogFoldersTarget = z.output<typeof logFoldersTargetSchema>;

/** The most files read per folder; beyond it the lines say they judged the first ones. */
export const filesReadMax = 20_000;

interface LogFile {
  path: string;
  size: number;
  mtimeMs: number;
}

const mb = 1024 * 1024;
const dayMs = 86_400_000;

async function listLogFiles(dir: string, matcher: RegExp, signal: AbortSignal): Promise<{ files: LogFile[]; capped: boolean }> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const matching = entries.filter((entry) => entry.isFile() && matcher.test(entry.name));
  const chosen = matching.slice(0, filesReadMax);
  const files: LogFile[] = [];
  for (let start = 0; start < chosen.length; start += 64) {
    signal.throwIfAborted();
    const batch = await Promise.all(
      chosen.slice(start, start + 64).map(async (entry) => {
        const full = path.join(entry.parentPath, entry.name);
        const info = await stat(full).catch(() => undefined);
        return info ? { path: full, size: info.size, mtimeMs: info.mtimeMs } : undefined;
      }),
    );
    files.push(...batch.filter((file) => file !== undefined));
  }
  return { files, capped: matching.length > chosen.length };
}

function relative(dir: string, file: string): string {
  return path.relative(dir, file) || path.basename(file);
}

function totalLine(dir: string, pattern: string, files: readonly LogFile[], capped: boolean, t: LogThresholds): ProbeFinding {
  const bytes = files.reduce((sum, file) => sum + file.size, 0);
  const status = judgeHigh(bytes / mb, { warn: t.total_warn_mb, crit: t.total_crit_mb });
  const line: ProbeFinding = {
    checkId: 'logs.total_size',
    subject: dir,
    status,
    measure: { value: bytes, unit: 'bytes' },
    label: `total size (${dir})`,
    text: `${formatBytes(bytes)} in ${files.length} ${pattern} files${capped ? ` (the first ${filesReadMax})` : ''}`,
    threshold: highLimitsText({ warn: t.total_warn_mb, crit: t.total_crit_mb }, ' MB'),
  };
  if (status !== 'ok') line.note = 'the folder grows faster than rotation removes: check that logrotate (or pm2-logrotate) compresses and deletes old files, and the disk line';
  return line;
}

function bigFilesLine(dir: string, files: readonly LogFile[], t: LogThresholds): ProbeFinding {
  const big = files.filter((file) => file.size > t.big_file_mb * mb).sort((a, b) => b.size - a.size);
  const status = judgeHigh(big.length, { warn: t.big_files_warn, crit: t.big_files_crit });
  const line: ProbeFinding = {
    checkId: 'logs.big_files',
    subject: dir,
    status,
    measure: { value: big.length, unit: 'count' },
    label: `files over ${t.big_file_mb} MB (${dir})`,
    text: big.length === 0 ? 'none' : `${big.length}, the largest ${relative(dir, big[0]!.path)} at ${formatBytes(big[0]!.size)}`,
    threshold: `warn at ${t.big_files_warn}, crit at ${t.big_files_crit} files over ${t.big_file_mb} MB`,
  };
  if (big.length > 0) line.detail = big.slice(0, 5).map((file) => `${relative(dir, file.path)}  ${formatBytes(file.size)}`);
  if (status !== 'ok') line.note = `a log this big is not being rotated: rotate at ${t.big_file_mb} MB (logrotate size ${t.big_file_mb}M, pm2-logrotate max_size) or lower the app's log level`;
  return line;
}

function oldestLine(dir: string, files: readonly LogFile[], t: LogThresholds, now: number): ProbeFinding {
  const threshold = highLimitsText({ warn: t.oldest_warn_days, crit: t.oldest_crit_days }, ' days');
  const oldest = files.reduce<LogFile | undefined>((found, file) => (found === undefined || file.mtimeMs < found.mtimeMs ? file : found), undefined);
  const check = { checkId: 'logs.oldest_file', subject: dir, label: `oldest file (${dir})`, threshold };
  if (!oldest) return { ...check, status: 'ok', text: 'no file' };
  const days = Math.max(0, (now - oldest.mtimeMs) / dayMs);
  const status = judgeHigh(days, { warn: t.oldest_warn_days, crit: t.oldest_crit_days });
  const line: ProbeFinding = {
    ...check,
    status,
    measure: { value: days, unit: 'days' },
    text: `${relative(dir, oldest.path)}, last written ${Math.floor(days)} days ago`,
  };
  if (status !== 'ok') line.note = `logs are kept past their retention: compress after ${t.oldest_warn_days} days and delete after ${t.oldest_crit_days} (logrotate rotate/maxage, or find -mtime)`;
  return line;
}

function unreadableLine(dir: string, error: unknown): ProbeFinding {
  const code = (error as { code?: unknown }).code;
  const reason = code === 'ENOENT' ? 'not found' : code === 'EACCES' || code === 'EPERM' ? 'not readable by the bot (permission denied)' : code === 'ENOTDIR' ? 'not a folder' : 'cannot be read';
  return {
    checkId: 'logs.folder',
    subject: dir,
    status: 'crit',
    label: `folder (${dir})`,
    text: `${dir} ${reason}`,
    threshold: 'crit when a configured folder cannot be read',
    note: 'fix the path in targets.logs[].dirs, or give the bot read access',
  };
}

/**
 * Checks log folders as the guides do by hand (`du`, `find -size +100M`, `find -mtime +30`): per folder the
 * total size of the files matching `pattern` (in every subfolder), how many are over `big_file_mb`, and how
 * old the oldest is, each against its thresholds. A folder that cannot be read is crit; on an optional
 * target whose folders are all missing, the target is skipped.
 */
export function createLogFoldersProbe(target: LogFoldersTarget, now: () => number = Date.now): Probe {
  const matcher = globToRegExp(target.pattern);
  return {
    target: target.name,
    system: 'logs',
    optional: target.optional,
    async run(signal) {
      const perDir = await Promise.all(
        target.dirs.map(async (dir) => {
          try {
            const { files, capped } = await listLogFiles(dir, matcher, signal);
            return { dir, lines: [totalLine(dir, target.pattern, files, capped, target.thresholds), bigFilesLine(dir, files, target.thresholds), oldestLine(dir, files, target.thresholds, now())] };
          } catch (error) {
            if (signal.aborted) throw signal.reason;
            return { dir, missing: (error as { code?: unknown }).code === 'ENOENT', lines: [unreadableLine(dir, error)] };
          }
        }),
      );
      if (target.optional && perDir.every((entry) => 'missing' in entry && entry.missing)) throw new TargetUnreachable(`no folder of ${target.dirs.join(', ')} exists`);
      return perDir.flatMap((entry) => entry.lines);
    },
  };
}
