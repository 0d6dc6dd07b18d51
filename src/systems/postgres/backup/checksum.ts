import { readFile } from 'node:fs/promises';
import { sha256File } from '../../../tools/sha256.js';
export { sha256File, sha256Line } from '../../../tools/sha256.js';
import type { BackupFile } from './files.js';
import { sidecarsOf } from './files.js';

/** Whether a dump still has the bytes its `.sha256` file recorded. */
export type ChecksumState = 'verified' | 'mismatch' | 'missing' | 'not verified';

/** A checksum verdict with the digests compared. */
export interface ChecksumVerdict {
  state: ChecksumState;
  expected?: string;
  actual?: string;
}

/** The digest recorded in a dump's `.sha256` file; undefined when there is none. */
export async function recordedSha256(dumpPath: string): Promise<string | undefined> {
  const text = await readFile(sidecarsOf(dumpPath).sha256, 'utf8').catch(() => undefined);
  return /^([0-9a-f]{64})\b/i.exec(text?.trim() ?? '')?.[1]?.toLowerCase();
}

/** A verdict and when it was reached. */
export interface DatedVerdict {
  verdict: ChecksumVerdict;
  at: Date;
}

/**
 * The last verdict reached for each dump, for `/maint backups` to show with its age. It never stands in for a
 * verification: every verification reads and hashes the whole file. A verdict is forgotten once the dump's size
 * or modification time changed.
 */
export class VerificationLog {
  private readonly verdicts = new Map<string, { key: string; dated: DatedVerdict }>();

  last(file: BackupFile): DatedVerdict | undefined {
    const entry = this.verdicts.get(file.path);
    return entry?.key === fileKey(file) ? entry.dated : undefined;
  }

  record(file: BackupFile, verdict: ChecksumVerdict, at = new Date()): void {
    this.verdicts.set(file.path, { key: fileKey(file), dated: { verdict, at } });
  }
}

function fileKey(file: BackupFile): string {
  return `${file.size}:${file.mtimeMs}`;
}

/** Reads and hashes the whole dump and compares its sha256 with the recorded one; the verdict is logged when a log is given. */
export async function verifyChecksum(file: BackupFile, signal?: AbortSignal, log?: VerificationLog): Promise<ChecksumVerdict> {
  const expected = await recordedSha256(file.path);
  if (expected === undefined) return { state: 'missing' };
  const actual = await sha256File(file.path, signal);
  const verdict: ChecksumVerdict = { state: actual === expected ? 'verified' : 'mismatch', expected, actual };
  log?.record(file, verdict);
  return verdict;
}
