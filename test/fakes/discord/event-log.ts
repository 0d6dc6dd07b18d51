interface Waiter<T> {
  predicate: (item: T) => boolean;
  remaining: number;
  resolve: (item: T) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** How a wait is described when it times out. */
export interface WaitDescription {
  what: string;
  timeoutMs: number;
  /** Lists what did arrive, for the failure message. */
  received: () => string;
}

/** An append-only log that tests can wait on: past entries count, future ones resolve waiters. */
export class EventLog<T> {
  readonly #items: T[] = [];
  readonly #waiters = new Set<Waiter<T>>();

  push(item: T): void {
    this.#items.push(item);
    for (const waiter of [...this.#waiters]) {
      if (!waiter.predicate(item)) continue;
      waiter.remaining -= 1;
      if (waiter.remaining > 0) continue;
      this.#settle(waiter);
      waiter.resolve(item);
    }
  }

  all(): T[] {
    return [...this.#items];
  }

  /** Resolves with the `nth` (1-based) entry matching `predicate`, already logged or yet to come. */
  waitFor(predicate: (item: T) => boolean, description: WaitDescription, nth = 1): Promise<T> {
    const matches = this.#items.filter(predicate);
    const found = matches[nth - 1];
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter<T> = {
        predicate,
        remaining: nth - matches.length,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#settle(waiter);
          reject(
            new Error(
              `Timed out after ${description.timeoutMs} ms waiting for ${description.what}.\n` +
                `Received:\n${description.received() || '  (nothing)'}`,
            ),
          );
        }, description.timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  /** Rejects every pending wait, so nothing keeps the process alive after the fake closes. */
  abandonWaits(reason: string): void {
    for (const waiter of [...this.#waiters]) {
      this.#settle(waiter);
      waiter.reject(new Error(reason));
    }
  }

  #settle(waiter: Waiter<T>): void {
    clearTimeout(waiter.timer);
    this.#waiters.delete(waiter);
  }
}
