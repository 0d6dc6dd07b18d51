const DISCORD_EPOCH_MS = 1_420_070_400_000n;

/** Issues unique, strictly increasing Discord snowflake ids stamped with the current time. */
export class SnowflakeGenerator {
  #last = 0n;

  next(): string {
    const stamped = (BigInt(Date.now()) - DISCORD_EPOCH_MS) << 22n;
    this.#last = stamped > this.#last ? stamped : this.#last + 1n;
    return this.#last.toString();
  }
}
