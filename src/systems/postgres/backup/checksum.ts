import { readFile } from 'node:fs/promises';
import { checksumLine, fileDigest, type ChecksumAlgorithm, type DumpDigests } from '../../../tools/digests.js';
export { checksumLine, fileDigest, sha256File, startDumpDigests, type ChecksumAlgorithm, type DumpDigests } from '../../../tools/digests.js';
import type { BackupFile } from './files.js';
import { sidecarsOf, writeSidecar } from './files.js';

/** Whether a dump still has the bytes its recorded checksum (`.xxh64`, else `.sha256`) says. */
export type ChecksumState = 'verified' | 'mismatch' | 'missing' | 'not verified';

/** A checksum verdict with the algorithm and the digests compared. */
export interface ChecksumVerdict {
  state: ChecksumState;
  algorithm?: ChecksumAlgorithm;
  expected?: string;
  actual?: string;
}

/** Writes the `.sha256` and `.xxh64` files beside a dump. */
export async function writeDigests(dumpPath: string, digests: DumpDigests): Promise<void> {
  const sidecars = sidecarsOf(dumpPath);
  await writeSidecar(sidecars.sha256, checksumLine(digests.sha256, dumpPath));
  await writeSidecar(sidecars.xxh64, checksumLine(digests.xxh64, dumpPath));
}

const recordedPatterns: Record<ChecksumAlgorithm, RegExp> = { xxh64: /^([0-9a-f]{16})\b/i, sha256: /^([0-9a-f]{64})\b/i };

async function recordedIn(dumpPath: string, algorithm: ChecksumAlgorithm): Promise<string | undefined> {
  const text = await readFile(sidecarsOf(dumpPath)[algorithm], 'utf8').catch(() => undefined);
  return recordedPatterns[algorithm].exec(text?.trim() ?? '')?.[1]?.toLowerCase();
}

/** The digest verification checks: the `.xxh64` when there is one, else the `.sha256`; undefined when neither. */
export async function recordedChecksum(dumpPath: string): Promise<{ algorithm: ChecksumAlgorithm; digest: string } | undefined> {
  for (const algorithm of ['xxh64', 'sha256'] as const) {
    const digest = await recordedIn(dumpPath, algorithm);
    if (digest !== undefined) return { algorithm, digest };
  }
  return undefined;
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

/**
 * Reads and hashes the whole dump and compares the digest with the recorded one (XXH64 when recorded, else
 * sha256); the verdict is logged when a log is given.
 */
export async function verifyChecksum(file: BackupFile, signal?: AbortSignal, log?: VerificationLog): Promise<ChecksumVerdict> {
  const recorded = await recordedChecksum(file.path);
  if (recorded === undefined) return { state: 'missing' };
  const actual = await fileDigest(file.path, recorded.algorithm, signal);
  const verdict: ChecksumVerdict = { state: actual === recorded.digest ? 'verified' : 'mismatch', algorithm: recorded.algorithm, expected: recorded.digest, actual };
  log?.record(file, verdict);
  return verdict;
}
