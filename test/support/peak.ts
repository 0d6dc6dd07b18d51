/**
 * Reads `count()` over and over until `work` settles; resolves to the most it saw and how often it looked.
 * Polling can only miss a peak, never invent one.
 */
export async function mostSeenWhile<T>(count: () => Promise<number>, work: Promise<T>): Promise<{ most: number; samples: number; result: T }> {
  let stopped = false;
  let most = 0;
  let samples = 0;
  const polling = (async () => {
    while (!stopped) {
      most = Math.max(most, await count());
      samples += 1;
    }
  })();
  try {
    const result = await work;
    return { most, samples, result };
  } finally {
    stopped = true;
    await polling;
  }
}
