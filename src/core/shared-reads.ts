interface Entry {
  value: Promise<unknown>;
  /** The signal of the probe whose connection does the read. */
  owner: AbortSignal;
}

/**
 * What the probes of one health run have read of the servers they share: a server-wide read (activity,
 * settings, INFO) is done once per key, on the connection of the first probe that asks, and every other probe
 * with the same key awaits that answer and judges it itself. Keys name the server, the user and the read
 * (e.g. `postgres://user@host:5432 <sql> <params>`), since users may see different things.
 *
 * @example
 * const rows = await shared.read(`${serverKey} ${sql}`, () => client.query(sql).then((r) => r.rows), signal);
 */
export class SharedReads {
  private readonly entries = new Map<string, Entry>();

  /**
   * The answer of the read named `key`: `read()` on the caller's connection when nobody asked yet, else the
   * earlier caller's answer (or its error, which the caller judges like its own). When the earlier caller is
   * aborted (timed out) before answering, the next caller reads again itself. Rejects with `signal`'s reason
   * as soon as `signal` aborts.
   */
  async read<T>(key: string, read: () => Promise<T>, signal: AbortSignal): Promise<T> {
    for (;;) {
      signal.throwIfAborted();
      let entry = this.entries.get(key);
      if (entry === undefined) {
        entry = { value: read(), owner: signal };
        this.entries.set(key, entry);
        entry.value.catch(() => undefined);
        return (await entry.value) as T;
      }
      try {
        return (await untilAborted(entry.value, signal)) as T;
      } catch (error) {
        signal.throwIfAborted();
        if (!entry.owner.aborted) throw error;
        if (this.entries.get(key) === entry) this.entries.delete(key);
      }
    }
  }
}

/** `value`, or a rejection with `signal`'s reason as soon as `signal` aborts (the work itself goes on). */
export function untilAborted<T>(value: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return Promise.race([value, abortOf(signal)]);
}

const aborts = new WeakMap<AbortSignal, Promise<never>>();

/** One promise per signal that rejects when it aborts: racing it costs no listener per wait. */
function abortOf(signal: AbortSignal): Promise<never> {
  let aborted = aborts.get(signal);
  if (aborted === undefined) {
    aborted = new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));
    aborted.catch(() => undefined);
    aborts.set(signal, aborted);
  }
  return aborted;
}
