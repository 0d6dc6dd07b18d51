/** Issues Slack-style message timestamps (`seconds.micros`) that are unique and strictly increasing. */
export class TsClock {
  private lastMicros = 0;

  next(): string {
    this.lastMicros = Math.max(this.lastMicros + 1, Date.now() * 1000);
    const seconds = Math.floor(this.lastMicros / 1_000_000);
    const micros = this.lastMicros % 1_000_000;
    return `${seconds}.${String(micros).padStart(6, '0')}`;
  }
}

/** Issues ids with a fixed prefix and an increasing counter, e.g. `env-0001`. */
export class IdSequence {
  private counter = 0;

  constructor(private readonly prefix: string) {}

  next(): string {
    this.counter += 1;
    return `${this.prefix}${String(this.counter).padStart(4, '0')}`;
  }
}
