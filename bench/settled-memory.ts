/** Resident size and V8 heap in use, in bytes. */
export interface MemoryFigures {
  rss: number;
  heap: number;
}

/** The process's memory after 1.5 s of quiet and three forced GCs; needs --expose-gc (npm run bench passes it). */
export async function settledMemory(): Promise<MemoryFigures> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('this benchmark needs --expose-gc (npm run bench passes it)');
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  for (let round = 0; round < 3; round += 1) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  const usage = process.memoryUsage();
  return { rss: usage.rss, heap: usage.heapUsed };
}

/** Bytes as "12.3 MB". */
export const mb = (bytes: number): string => `${(bytes / 1_048_576).toFixed(1)} MB`;
