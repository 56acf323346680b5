import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { emptyFrame, encodeFrame, systemClock } from '../../../protocol';
import { createOutbound } from '../../../server/gateway/outbound';
import { DEFAULT_TUNING } from '../../../server/tuning';

/** The writing side of a socket, as much as the outbound uses: it keeps what is written. */
function recordingSocket(): { socket: Socket; writes: Uint8Array[] } {
  const writes: Uint8Array[] = [];
  const socket = Object.assign(new EventEmitter(), {
    destroyed: false,
    writable: true,
    writableLength: 0,
    write(bytes: Uint8Array) {
      writes.push(bytes);
      return true;
    },
  });
  return { socket: socket as unknown as Socket, writes };
}

describe('a connection\'s outbound frames', () => {
  it('leave in the turn of the loop that queued them: a commit\'s PUSH and SENT do not wait for the next turn', async () => {
    const { socket, writes } = recordingSocket();
    const outbound = createOutbound({ socket, clock: systemClock, tuning: DEFAULT_TUNING, onCongestion: () => undefined, onOverflow: () => undefined });
    let writtenBeforeNextTurn = -1;
    await new Promise<void>((resolve) => {
      // a write batch commits in a check-phase callback: its pushes are queued there, its SENTs
      // in the promises it resolves (a few steps down a promise chain)
      setImmediate(() => {
        outbound.send(emptyFrame('PONG'));
        void Promise.resolve()
          .then(() => undefined)
          .then(() => outbound.send(emptyFrame('PONG')));
        // looked at once every microtask has run, in this same turn of the loop
        queueMicrotask(() =>
          queueMicrotask(() =>
            process.nextTick(() => {
              writtenBeforeNextTurn = writes.length;
              resolve();
            }),
          ),
        );
      });
    });
    // both frames, in one write, before the loop came round again
    expect(writtenBeforeNextTurn).toBe(1);
    expect(writes[0]!.length).toBe(2 * encodeFrame(emptyFrame('PONG')).length);
    outbound.dispose();
  });
});
