import { describe, expect, it } from 'vitest';
import { createBlobLocks } from '../../../server/files/blob-locks';

/** The blob locks' wait for another node's hold (on PostgreSQL a try of an advisory lock). */
describe('blob locks', () => {
  it('wait for another node to let a blob go without blocking the event loop, then run', async () => {
    let otherNodeHolds = true;
    const taken: string[] = [];
    const locks = createBlobLocks({
      tryLockBlob: (sha256) => {
        if (otherNodeHolds) return false;
        taken.push(sha256);
        return true;
      },
      unlockBlob: (sha256) => taken.push(`-${sha256}`),
    });
    let ran = false;
    const held = locks.hold(['b', null, 'a'], async () => {
      ran = true;
      return 7;
    });
    // the loop turns while the other node holds it: a timer fires, nothing has run
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(ran).toBe(false);
    otherNodeHolds = false;
    await expect(held).resolves.toBe(7);
    // in one order (sorted), let go in the reverse one
    expect(taken).toEqual(['a', 'b', '-b', '-a']);
  });

  it('lets one holder at a time have a blob in this process', async () => {
    const locks = createBlobLocks({ tryLockBlob: () => true, unlockBlob: () => undefined });
    const order: string[] = [];
    let releaseFirst = () => {};
    const first = locks.hold(['a'], async () => {
      order.push('first in');
      await new Promise<void>((resolve) => (releaseFirst = resolve));
      order.push('first out');
    });
    const second = locks.hold(['a'], async () => {
      order.push('second in');
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(order).toEqual(['first in']);
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['first in', 'first out', 'second in']);
  });
});
