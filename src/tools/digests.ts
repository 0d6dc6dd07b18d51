import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import path from 'node:path';
import xxhash from 'xxhash-wasm';

/**
 * The digests recorded beside a dump: `xxh64` is what verification reads (fast), `sha256` stays for
 * `sha256sum -c`. A dump written before the XXH64 existed has only its sha256, which is then verified.
 */
export type ChecksumAlgorithm = 'xxh64' | 'sha256';

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

let xxhashApi: ReturnType<typeof xxhash> | undefined;
const chunkBytes = 1 << 20;

async function startDigest(algorithm: ChecksumAlgorithm): Promise<Digest> {
  if (algorithm === 'sha256') {
    const hash = createHash('sha256');
    return { update: (chunk) => void hash.update(chunk), hex: () => hash.digest('hex') };
  }
  xxhashApi ??= xxhash();
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

