import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import xxhash from 'xxhash-wasm';
import type { BackupFile } from './files.js';
import { sidecarsOf, writeSidecar } from './files.js';

/** Whether a dump still has the bytes its recorded checksum (`.xxh64`, else `.sha256`) says. */
export type ChecksumState = 'verified' | 'mismatch' | 'missing' | 'not verified';

/**
 * The digests recorded beside a dump: `xxh64` is what verification reads (fast), `sha256` stays for
 * `sha256sum -c`. A dump written before the XXH64 existed has only its sha256, which is then verified.
 */
export type ChecksumAlgorithm = 'xxh64' | 'sha256';

/** A checksum verdict with the algorithm and the digests compared. */
export interface ChecksumVerdict {
  state: ChecksumState;
  algorithm?: ChecksumAlgorithm;
  expected?: string;
  actual?: string;
}

/** Both digests of a dump, as written beside it. */
export interface DumpDigests {
  sha256: string;
  xxh64: string;
}

/** An incremental digest, fed chunk by chunk. */
interface Digest {
  update(chunk: Uint8Array): void;
  hex(): string;
}

const xxhashApi = xxhash();
const chunkBytes = 1 << 20;

async function startDigest(algorithm: ChecksumAlgorithm): Promise<Digest> {
  if (algorithm === 'sha256') {
    const hash = createHash('sha256');
    return { update: (chunk) => void hash.update(chunk), hex: () => hash.digest('hex') };
  }
  const hash = (await xxhashApi).create64();
  return { update: (chunk) => void hash.update(chunk), hex: () => hash.digest().toString(16).padStart(16, '0') };
}

/** Both digests of a byte stream, for a dump as it is written: one pass feeds the sha256 and the XXH64. */
export async function startDumpDigests(): Promise<{ update(chunk: Uint8Array): void; digests(): DumpDigests }> {
  const [sha256, xxh64] = await Promise.all([startDigest('sha256'), startDigest('xxh64')]);
  return {
    update(chunk) {
      sha256.update(chunk);
      xxh64.update(chunk);
    },
    digests: () => ({ sha256: sha256.hex(), xxh64: xxh64.hex() }),
  };
}

/** The digest of a whole file, read in 1 MiB chunks into one buffer. */
export async function fileDigest(file: string, algorithm: ChecksumAlgorithm, signal?: AbortSignal): Promise<string> {
  const digest = await startDigest(algorithm);
  const handle = await open(file, 'r');
  const buffer = Buffer.allocUnsafe(chunkBytes);
  try {
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await handle.read(buffer, 0, chunkBytes, null);
      if (bytesRead === 0) break;
      digest.update(bytesRead === chunkBytes ? buffer : buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  return digest.hex();
}

/** The sha256 of a file. */
export function sha256File(file: string, signal?: AbortSignal): Promise<string> {
  return fileDigest(file, 'sha256', signal);
}

/** One line in `sha256sum` / `xxhsum` format, so `sha256sum -c` and `xxhsum -c` can check the dump too. */
export function checksumLine(digest: string, dumpPath: string): string {
  return `${digest}  ${path.basename(dumpPath)}\n`;
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
