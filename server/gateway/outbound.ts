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

export function createOutbound(deps: OutboundDeps): Outbound {
  const { socket, clock, tuning } = deps;
  let congested = false;
  let stallTimer: TimerHandle | undefined;
  let overflowed = false;

  function overflow(reason: string): void {
    if (overflowed) return;
    overflowed = true;
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
  const batcher = new FrameBatcher(write, (flush) => setImmediate(flush));

  return {
    send(frame) {
      if (!overflowed) batcher.enqueue(frame);
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
    dispose() {
      socket.off('drain', onDrain);
      if (stallTimer) clock.clearTimeout(stallTimer);
      stallTimer = undefined;
    },
  };
}
