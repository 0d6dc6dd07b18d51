import { describe, expect, it } from 'vitest';
import { SharedReads } from '../../../src/core/shared-reads.js';

/** A read that answers when told to, counting how often it was started. */
function pendingRead<T>(): { read: () => Promise<T>; started: () => number; answer: (value: T) => void; fail: (error: Error) => void } {
  let starts = 0;
  let settle: { resolve: (value: T) => void; reject: (error: Error) => void } | undefined;
  return {
    read: () => {
      starts += 1;
      return new Promise<T>((resolve, reject) => {
        settle = { resolve, reject };
      });
    },
    started: () => starts,
    answer: (value) => settle?.resolve(value),
    fail: (error) => settle?.reject(error),
  };
}

describe('SharedReads: one read per key in one health run', () => {
  it('reads a key once and gives every caller its answer, and reads another key on its own', async () => {
    const shared = new SharedReads();
    const rows = pendingRead<string[]>();
    const signal = new AbortController().signal;
    const first = shared.read('postgres u@h:5432 activity', rows.read, signal);
    const second = shared.read('postgres u@h:5432 activity', rows.read, signal);
    rows.answer(['row']);
    expect(await Promise.all([first, second])).toEqual([['row'], ['row']]);
    expect(rows.started()).toBe(1);
    expect(await shared.read('postgres other@h:5432 activity', async () => ['theirs'], signal)).toEqual(['theirs']);
  });

  it("shares a read's error, so each caller judges it as its own (e.g. a permission the user lacks)", async () => {
    const shared = new SharedReads();
    const rows = pendingRead<string[]>();
    const signal = new AbortController().signal;
    const callers = [shared.read('k', rows.read, signal), shared.read('k', rows.read, signal)];
    rows.fail(new Error('permission denied for view pg_stat_replication'));
    for (const caller of callers) await expect(caller).rejects.toThrow('permission denied');
    expect(rows.started()).toBe(1);
  });

  it('reads again on the next caller\'s connection when the first caller timed out before the answer', async () => {
    const shared = new SharedReads();
    const owner = new AbortController();
    const first = pendingRead<string>();
    const owning = shared.read('k', first.read, owner.signal);
    const waiting = shared.read('k', async () => 'read again', new AbortController().signal);
    owner.abort(new Error('timed out'));
    first.fail(new Error('connection destroyed'));
    await expect(owning).rejects.toThrow('connection destroyed');
    expect(await waiting).toBe('read again');
  });

  it('stops waiting as soon as the waiting caller is aborted', async () => {
    const shared = new SharedReads();
    const rows = pendingRead<string>();
    void shared.read('k', rows.read, new AbortController().signal);
    const mine = new AbortController();
    const waiting = shared.read('k', rows.read, mine.signal);
    mine.abort(new Error('health probe of b timed out'));
    await expect(waiting).rejects.toThrow('health probe of b timed out');
    rows.answer('late');
  });
});
