import type { Socket } from 'node:net';
import { FrameBatcher, type Clock, type Frame, type TimerHandle } from '../../protocol';
import type { Tuning } from '../tuning';

/**
 * The writing side of a connection: frames queued in one tick go out in one write, and a peer
 * that does not read is handled before its buffer grows without bound. Above the high-water mark
 * the connection stops reading from the socket (so that peer cannot make us produce more answers);
 * above the hard limit, or stuck above the high-water mark too long, the socket is dropped.
 */
export interface Outbound {
  send(frame: Frame): void;
  /**
   * Writes bytes already encoded (frames shared by many connections: a large group's pushes),
   * after whatever is queued, so the order of this connection's frames stays the order they were
   * sent in. The same bounds apply as to queued frames.
   */
  sendEncoded(bytes: Buffer): void;
  /** Writes whatever is queued now. */
  flush(): void;
  /** True while writes wait for the peer to read. */
  readonly congested: boolean;
  /** Resolves once the peer has read enough to be below the high-water mark again, or the socket closed. */
  uncongested(): Promise<void>;
  dispose(): void;
}

export interface OutboundDeps {
  readonly socket: Socket;
  readonly clock: Clock;
  readonly tuning: Pick<Tuning, 'writeHighWaterBytes' | 'maxWriteBufferBytes' | 'writeStallTimeoutMs'>;
  /** Called when the state of congestion changes, so the reader can pause or resume. */
  onCongestion(congested: boolean): void;
  /** Called once when the peer has fallen too far behind; the caller drops the connection. */
  onOverflow(reason: string): void;
}

/** Length prefix (4), type, flags and request id (5): the most a frame adds to its body. */
const FRAME_HEADER_MAX_BYTES = 11;

export function createOutbound(deps: OutboundDeps): Outbound {
  const { socket, clock, tuning } = deps;
  let congested = false;
  let stallTimer: TimerHandle | undefined;
  let overflowed = false;
  /** Encoded bytes of the frames queued for the next write (headers counted at their largest). */
  let queuedBytes = 0;
  let waiters: (() => void)[] = [];

  function wake(): void {
    const woken = waiters;
    waiters = [];
    for (const resolve of woken) resolve();
  }

  function overflow(reason: string): void {
    if (overflowed) return;
    overflowed = true;
    wake();
    deps.onOverflow(reason);
  }

  function setCongested(value: boolean): void {
    if (value === congested) return;
    congested = value;
    if (value) {
      stallTimer = clock.setTimeout(
        () => overflow(`write buffer stayed above ${tuning.writeHighWaterBytes} bytes for ${tuning.writeStallTimeoutMs} ms`),
        tuning.writeStallTimeoutMs,
      );
    } else if (stallTimer) {
      clock.clearTimeout(stallTimer);
      stallTimer = undefined;
    }
    deps.onCongestion(value);
    if (!value) wake();
  }

  const onDrain = () => setCongested(false);
  socket.on('drain', onDrain);

  function write(bytes: Uint8Array): void {
    if (overflowed || socket.destroyed || !socket.writable) return;
    socket.write(bytes);
    const waiting = socket.writableLength;
    if (waiting > tuning.maxWriteBufferBytes) {
      overflow(`write buffer of ${waiting} bytes exceeds ${tuning.maxWriteBufferBytes}`);
    } else if (waiting > tuning.writeHighWaterBytes) {
      setCongested(true);
    }
  }

  // flushed after the I/O of this loop turn, not after each microtask: the answers to every
  // request read in one chunk, and the pushes they cause, leave in one write
  const batcher = new FrameBatcher(
    (bytes) => {
      queuedBytes = 0;
      write(bytes);
    },
    (flush) => setImmediate(flush),
  );

  return {
    send(frame) {
      if (overflowed) return;
      batcher.enqueue(frame);
      // what waits for the turn's end counts too: past the high-water mark it is written now, so
      // the bounds above see it (many answers in one turn once made one write of any size)
      queuedBytes += frame.body.length + FRAME_HEADER_MAX_BYTES;
      if (queuedBytes > tuning.writeHighWaterBytes) batcher.flush();
    },
    sendEncoded(bytes) {
      if (overflowed) return;
      if (batcher.pending > 0) batcher.flush();
      write(bytes);
    },
    flush() {
      batcher.flush();
    },
    get congested() {
      return congested;
    },
    uncongested() {
      if (!congested || overflowed || socket.destroyed) return Promise.resolve();
      return new Promise<void>((resolve) => waiters.push(resolve));
    },
    dispose() {
      socket.off('drain', onDrain);
      if (stallTimer) clock.clearTimeout(stallTimer);
      stallTimer = undefined;
      wake();
    },
  };
}
