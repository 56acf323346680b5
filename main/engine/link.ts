import {
  bodyFrame,
  decodeFrame,
  emptyFrame,
  ErrorCode,
  FrameBatcher,
  FrameDecoder,
  MagpieError,
  MAX_REQUEST_ID,
  requestAnswers,
  type AnswerTo,
  type BodyFrameName,
  type Clock,
  type DecodedFrame,
  type Frame,
  type InitOf,
  type RequestName,
  type TimerHandle,
  type WireLimits,
  sizeRefusalFromWire,
} from '../../protocol';

/** The byte stream a link runs on: a net.Socket or tls.TLSSocket. */
export interface LinkSocket {
  write(bytes: Uint8Array): boolean;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  end(): unknown;
  destroy(): unknown;
  setNoDelay?(noDelay?: boolean): unknown;
}

export interface LinkOptions {
  readonly socket: LinkSocket;
  readonly clock: Clock;
  readonly limits: WireLimits;
  readonly requestTimeoutMs: number;
  /** Every pushed frame (no request id, or one we did not ask). */
  readonly onPush: (frame: DecodedFrame) => void;
  /** Any frame at all arrived: the connection is alive. */
  readonly onActivity?: () => void;
  /** A request went unanswered for its whole timeout: the connection may be dead. */
  readonly onRequestTimeout?: () => void;
  /** Called once when the link is gone; the error says why when it was not our own close(). */
  readonly onClose: (error: MagpieError | undefined) => void;
}

interface Pending {
  readonly request: RequestName;
  readonly resolve: (frame: DecodedFrame) => void;
  readonly reject: (error: MagpieError) => void;
  readonly timer: TimerHandle;
}

/**
 * One connection to the server: frames in and out, requests matched to their answers by request
 * id, pushes handed on. It knows nothing of login, heartbeats or reconnecting.
 */
export class Link {
  private readonly decoder: FrameDecoder;
  private readonly batcher: FrameBatcher;
  private readonly pending = new Map<number, Pending>();
  /** No byte came from the server yet: the first ones tell a Magpie port from a web server. */
  private nothingReceived = true;
  private nextRequestId = 1;
  private closed = false;
  private closeError: MagpieError | undefined;
  /** An ERROR the server sent unasked: why it is closing (a wrong port, too many connections), for a HELLO left waiting. */
  private farewell: MagpieError | undefined;
  /** Bodies above this leave deflated: our own limit until the server's HELLO_ACK names one. */
  private compressThresholdBytes: number;
  /** The protocol minor the server announced in HELLO_ACK (0 until then). */
  serverMinor = 0;

  constructor(private readonly options: LinkOptions) {
    this.compressThresholdBytes = options.limits.compressThresholdBytes;
    this.decoder = new FrameDecoder({ maxFrameBytes: options.limits.maxFrameBytes });
    this.batcher = new FrameBatcher((bytes) => {
      if (!this.closed) options.socket.write(bytes);
    });
    options.socket.setNoDelay?.(true);
    options.socket.on('data', (chunk) => this.onData(chunk));
    options.socket.on('error', (error) =>
      this.shutdown(new MagpieError(ErrorCode.CONNECTION_CLOSED, `connection error: ${error.message}`, { cause: error })),
    );
    options.socket.on('close', () => this.shutdown(new MagpieError(ErrorCode.CONNECTION_CLOSED, 'connection closed')));
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /**
   * Sends a request and resolves with its answer, the frame requestAnswers names; an ERROR answer
   * rejects with its code, any other frame with UNEXPECTED_FRAME.
   */
  request<N extends RequestName>(name: N, body: InitOf<N>, timeoutMs = this.options.requestTimeoutMs): Promise<AnswerTo<N>> {
    if (this.closed) {
      return Promise.reject(this.closeError ?? new MagpieError(ErrorCode.NOT_CONNECTED, 'not connected'));
    }
    const requestId = this.takeRequestId();
    return new Promise<AnswerTo<N>>((resolve, reject) => {
      const timer = this.options.clock.setTimeout(() => {
        this.pending.delete(requestId);
        reject(new MagpieError(ErrorCode.REQUEST_TIMEOUT, `${name} got no answer within ${timeoutMs} ms`));
        this.options.onRequestTimeout?.();
      }, timeoutMs);
      this.pending.set(requestId, { request: name, resolve: resolve as (frame: DecodedFrame) => void, reject, timer });
      this.batcher.enqueue(
        bodyFrame(name, body, { requestId, compressThresholdBytes: this.compressThresholdBytes }),
      );
    });
  }

  /** Sends a frame that expects no answer. */
  fire<N extends BodyFrameName>(name: N, body: InitOf<N>): void {
    if (this.closed) return;
    this.batcher.enqueue(bodyFrame(name, body, { compressThresholdBytes: this.compressThresholdBytes }));
  }

  /**
   * The threshold the server announced in HELLO_ACK: both sides deflate every body above it
   * (docs/protocol.md, section 2). 0 (a server that names none) keeps our own.
   */
  useCompressThreshold(bytes: number): void {
    if (bytes > 0) this.compressThresholdBytes = bytes;
  }

  ping(): void {
    if (!this.closed) this.batcher.enqueue(emptyFrame('PING'));
  }

  /** Flushes what is queued and closes. Pending requests fail with CONNECTION_CLOSED. */
  close(): void {
    if (this.closed) return;
    this.batcher.flush();
    this.options.socket.end();
    this.shutdown(undefined);
    this.options.socket.destroy();
  }

  private takeRequestId(): number {
    const id = this.nextRequestId;
    this.nextRequestId = id >= MAX_REQUEST_ID ? 1 : id + 1;
    return id;
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    if (this.nothingReceived) {
      this.nothingReceived = false;
      // a web server answers our HELLO with 'HTTP/1.1 400 …': said plainly, not as a frame whose
      // flags 0x54 ('T') 'set a reserved bit'
      if (chunk.subarray(0, 5).toString('latin1') === 'HTTP/') {
        this.fail(new MagpieError(ErrorCode.NOT_MAGPIE_PORT, 'the port answers HTTP, not the Magpie protocol'));
        return;
      }
    }
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
    } catch (error) {
      this.fail(error);
      return;
    }
    for (const frame of frames) {
      let decoded: DecodedFrame;
      try {
        decoded = decodeFrame(frame, this.options.limits);
      } catch (error) {
        // the framing is intact, only this body is unreadable: its request fails, the link stays
        // (dropping it would fetch the same answer after every reconnect, for ever)
        if (this.rejectUnreadableAnswer(frame, error)) continue;
        this.fail(error);
        return;
      }
      this.options.onActivity?.();
      this.route(decoded);
      if (this.closed) return;
    }
  }

  private route(frame: DecodedFrame): void {
    const waiting = frame.requestId === undefined ? undefined : this.pending.get(frame.requestId);
    if (!waiting) {
      if (frame.name === 'ERROR') this.farewell = new MagpieError(frame.body.code, frame.body.message);
      this.options.onPush(frame);
      return;
    }
    this.pending.delete(frame.requestId!);
    this.options.clock.clearTimeout(waiting.timer);
    if (frame.name === 'ERROR') {
      // a refusal for size tells its figures as data (FILE_TOO_LARGE from a server that knows them)
      const tooLarge = sizeRefusalFromWire(frame.body);
      waiting.reject(new MagpieError(frame.body.code, frame.body.message, tooLarge ? { tooLarge } : undefined));
    } else if (frame.name !== requestAnswers[waiting.request]) {
      waiting.reject(new MagpieError(ErrorCode.UNEXPECTED_FRAME, `${waiting.request} answered by ${frame.name}`));
    } else waiting.resolve(frame);
  }

  /** Fails the request an undecodable answer belongs to; false when it answers none. */
  private rejectUnreadableAnswer(frame: Frame, error: unknown): boolean {
    const waiting = frame.requestId === undefined ? undefined : this.pending.get(frame.requestId);
    if (!waiting || !(error instanceof MagpieError)) return false;
    this.pending.delete(frame.requestId!);
    this.options.clock.clearTimeout(waiting.timer);
    waiting.reject(error);
    return true;
  }

  private fail(error: unknown): void {
    const magpieError =
      error instanceof MagpieError ? error : new MagpieError(ErrorCode.MALFORMED_FRAME, 'bad frame from server', { cause: error });
    this.shutdown(magpieError);
    this.options.socket.destroy();
  }

  private shutdown(error: MagpieError | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.closeError = error ?? new MagpieError(ErrorCode.CONNECTION_CLOSED, 'connection closed');
    for (const [, waiting] of this.pending) {
      this.options.clock.clearTimeout(waiting.timer);
      // a server turning us away at the door says why (a wrong port, too many connections): HELLO
      // fails with that; later requests keep the plain close, which the outbox takes as retryable
      waiting.reject(waiting.request === 'HELLO' && this.farewell ? this.farewell : this.closeError);
    }
    this.pending.clear();
    this.options.onClose(error);
  }
}
