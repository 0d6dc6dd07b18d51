/** Connections one health run opens to one server at most, unless `health.concurrency` says otherwise. */
export const defaultHealthConcurrency = 32;

interface Waiter {
  weight: number;
  admit: () => void;
}

/** A counting semaphore of `limit` slots, handed out first come, first served. */
class Slots {
  private used = 0;
  private readonly queue: Waiter[] = [];

  constructor(private readonly limit: number) {}

  /** Waits for `weight` slots (at most the limit; none at once for 0); the returned function gives them back. */
  async take(weight: number): Promise<() => void> {
    const wanted = Math.max(0, Math.min(this.limit, Math.floor(weight)));
    if (this.queue.length === 0 && this.used + wanted <= this.limit) this.used += wanted;
    else await new Promise<void>((admit) => this.queue.push({ weight: wanted, admit }));
    let given = false;
    return () => {
      if (given) return;
      given = true;
      this.used -= wanted;
      this.admitWaiting();
    };
  }

  private admitWaiting(): void {
    while (this.queue.length > 0 && this.used + this.queue[0]!.weight <= this.limit) {
      const next = this.queue.shift()!;
      this.used += next.weight;
      next.admit();
    }
  }
}

/**
 * One semaphore per server for one health run: probes naming the same server hold at most `limit` connections
 * to it at once; a probe naming no server runs at once.
 */
export class ServerSlots {
  private readonly servers = new Map<string, Slots>();

  constructor(private readonly limit: number) {}

  /** Waits until `server` has room for `connections` more; resolves to the function that frees them. */
  take(server: string | undefined, connections = 1): Promise<() => void> {
    if (server === undefined || connections <= 0) return Promise.resolve(() => undefined);
    let slots = this.servers.get(server);
    if (!slots) {
      slots = new Slots(this.limit);
      this.servers.set(server, slots);
    }
    return slots.take(connections);
  }
}
