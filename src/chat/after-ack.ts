/**
 * Work a chat adapter does after it acknowledged a command, run one item per turn of the event loop: between
 * two items Node reads the sockets again, so the acknowledgement of every command still arriving in a burst goes
 * out before the answers of those that came first are worked out.
 */
export class AfterAck {
  private readonly queue: Array<() => Promise<void>> = [];
  private scheduled = false;

  /** Runs `work` on a later turn; `work` must not throw (its own errors are its to report). */
  defer(work: () => Promise<void>): void {
    this.queue.push(work);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.queue.shift()!();
      this.schedule();
    });
  }
}
