import { readFile, rename, writeFile } from 'node:fs/promises';
import type { z } from 'zod';

/** Reads a JSON sidecar; undefined when it is missing or not what `schema` expects. */
export async function readSidecar<T>(file: string, schema: z.ZodType<T>): Promise<T | undefined> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Writes a sidecar atomically (a temporary file, then a rename). */
export async function writeSidecar(file: string, content: string): Promise<void> {
  const temporary = `${file}.tmp-${process.pid}`;
  await writeFile(temporary, content);
  await rename(temporary, file);
}
