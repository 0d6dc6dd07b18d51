import type { FileHandle } from 'node:fs/promises';

const NEWLINE = 0x0a;

/** How reading backwards proceeds: the chunk read at a time and the longest line kept. */
export interface BackwardReadOptions {
  chunkBytes?: number;
  /** A longer line is skipped rather than held in memory whole. */
  maxLineBytes?: number;
}

/**
 * The non-empty lines of a file from the last to the first, read in chunks from the end so a
 * huge file is never held whole. Lines are split on bytes, so multi-byte characters stay intact.
 */
export async function* readLinesBackwards(file: FileHandle, options: BackwardReadOptions = {}): AsyncGenerator<string> {
  const chunkBytes = options.chunkBytes ?? 64 * 1024;
  const maxLineBytes = options.maxLineBytes ?? 1024 * 1024;
  let position = (await file.stat()).size;
  let carry = Buffer.alloc(0);
  let skippingLongLine = false;
  while (position > 0) {
    const length = Math.min(chunkBytes, position);
    position -= length;
    const chunk = Buffer.alloc(length);
    await readFully(file, chunk, position);
    const buffer = carry.length > 0 ? Buffer.concat([chunk, carry]) : chunk;
    let end = buffer.length;
    for (let index = buffer.length - 1; index >= 0; index--) {
      if (buffer[index] !== NEWLINE) continue;
      if (skippingLongLine) skippingLongLine = false;
      else if (index + 1 < end) yield buffer.toString('utf8', index + 1, end);
      end = index;
    }
    carry = Buffer.from(buffer.subarray(0, end));
    if (carry.length > maxLineBytes) {
      carry = Buffer.alloc(0);
      skippingLongLine = true;
    }
  }
  if (carry.length > 0 && !skippingLongLine) yield carry.toString('utf8');
}

async function readFully(file: FileHandle, target: Buffer, position: number): Promise<void> {
  let offset = 0;
  while (offset < target.length) {
    const { bytesRead } = await file.read(target, offset, target.length - offset, position + offset);
    if (bytesRead === 0) throw new Error('the file shrank while it was being read');
    offset += bytesRead;
  }
}
