interface Waiter<T> {
  matches(item: T): boolean;
  resolve(item: T): void;
}

/** An append-only log that tests can wait on; a timeout lists what did arrive. */
export class Journal<T> {
  private items: T[] = [];
  private waiters = new Set<Waiter<T>>();

  constructor(private readonly summarize: (item: T) => string) {}

  add(item: T): void {
    this.items.push(item);
    for (const waiter of [...this.waiters]) {
      if (waiter.matches(item)) waiter.resolve(item);
    }
  }

  all(): T[] {
    return [...this.items];
  }

  clear(): void {
    this.items = [];
  }

  /** First item matching `matches`, already logged or still to come. */
  waitFor(matches: (item: T) => boolean, timeoutMs: number, wanted: string): Promise<T> {
    const found = this.items.find(matches);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        matches,
        resolve: (item) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(item);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${wanted}; received: ${this.describe()}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private describe(): string {
    if (this.items.length === 0) return 'nothing';
    return this.items.map((item) => `\n  - ${this.summarize(item)}`).join('');
  }
}

/** `value` as JSON, cut to `max` characters. */
export function briefJson(value: unknown, max = 240): string {
  const json = JSON.stringify(value) ?? String(value);
  return json.length > max ? `${json.slice(0, max)}…` : json;
}
