import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import path from 'node:path';

/** The sha256 of a file, read as a stream. */
export async function sha256File(file: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20, signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** One line in `sha256sum` format, so `sha256sum -c` can check the dump too. */
export function sha256Line(digest: string, dumpPath: string): string {
  return `${digest}  ${path.basename(dumpPath)}\n`;
}
