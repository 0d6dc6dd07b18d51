import { describe, expect, it } from 'vitest';
import { AfterAck } from '../../src/chat/after-ack.js';

describe('AfterAck', () => {
  it('runs deferred work in order, one item per turn of the event loop, so other work queued meanwhile goes between', async () => {
    const afterAck = new AfterAck();
    const seen: string[] = [];
    const allDone = new Promise<void>((resolve) => {
      afterAck.defer(async () => {
        seen.push('first');
        setImmediate(() => seen.push('other work'));
      });
      afterAck.defer(async () => void seen.push('second'));
      afterAck.defer(async () => {
        seen.push('third');
        resolve();
      });
    });
    expect(seen).toEqual([]);
    await allDone;
    expect(seen).toEqual(['first', 'other work', 'second', 'third']);
  });
});
