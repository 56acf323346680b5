import { ErrorCode, MagpieError } from './errors';
import { type Frame, parseFrameInner } from './frame';
import { MAX_LENGTH_PREFIX_BYTES } from './limits';

/**
 * Turns a TCP byte stream into frames. Accepts frames split at any byte and many frames in one
 * chunk. A length prefix above the limit is refused as soon as it is read, before any of the
 * frame is buffered, so a peer cannot make us hold more than one frame of at most maxFrameBytes.
 * A frame split across chunks is held in a buffer that grows with what came (doubling, at most to
 * the frame's length), never as room for the length it announced: a 4-byte prefix costs a few
 * bytes, not maxFrameBytes, however many sockets send one, and a frame trickled in a byte at a
 * time costs at most twice its bytes, not an object per byte.
 * After an error the decoder stays failed: the connection is to be closed.
 */
/** The first room a split frame gets (or its length, if smaller). */
const GROW_FROM_BYTES = 4096;
const EMPTY = new Uint8Array(0);

export class FrameDecoder {
  private readonly maxFrameBytes: number;
  private lengthValue = 0;
  private lengthBytes = 0;
  private scale = 1;
  /** Inner length of the frame being assembled, once its length is known. */
  private partialLength: number | undefined;
  /** The bytes of that frame received so far (the first `filled`), grown as they come. */
  private partial: Uint8Array = EMPTY;
  private filled = 0;
  private failure: MagpieError | undefined;

  constructor(options: { maxFrameBytes: number }) {
    this.maxFrameBytes = options.maxFrameBytes;
  }

  /** Bytes held for a frame not yet complete. */
  get bufferedBytes(): number {
    return this.filled;
  }

  push(chunk: Uint8Array): Frame[] {
    if (this.failure) throw this.failure;
    try {
      return this.consume(chunk);
    } catch (error) {
      this.failure =
        error instanceof MagpieError
          ? error
          : new MagpieError(ErrorCode.MALFORMED_FRAME, 'undecodable frame', { cause: error });
      throw this.failure;
    }
  }

  /** Room for `needed` bytes: twice what is held, at least 4 KiB, at most the frame's length. */
  private grow(needed: number): void {
    const size = Math.min(this.partialLength!, Math.max(needed, 2 * this.partial.length, GROW_FROM_BYTES));
    const grown = new Uint8Array(size);
    grown.set(this.partial.subarray(0, this.filled));
    this.partial = grown;
  }

  private consume(chunk: Uint8Array): Frame[] {
    const frames: Frame[] = [];
    let at = 0;
    while (at < chunk.length) {
      if (this.partialLength === undefined) {
        // reading the length prefix, one byte at a time
        const byte = chunk[at++]!;
        this.lengthValue += (byte & 0x7f) * this.scale;
        this.scale *= 128;
        this.lengthBytes++;
        if (byte & 0x80) {
          if (this.lengthBytes >= MAX_LENGTH_PREFIX_BYTES) {
            throw new MagpieError(ErrorCode.FRAME_TOO_LARGE, 'length prefix longer than 4 bytes');
          }
          continue;
        }
        const inner = this.lengthValue;
        if (inner + this.lengthBytes > this.maxFrameBytes) {
          throw new MagpieError(
            ErrorCode.FRAME_TOO_LARGE,
            `frame of ${inner + this.lengthBytes} bytes exceeds the limit of ${this.maxFrameBytes}`,
          );
        }
        if (inner < 2) throw new MagpieError(ErrorCode.MALFORMED_FRAME, `frame length ${inner} is below 2`);
        this.lengthValue = 0;
        this.lengthBytes = 0;
        this.scale = 1;
        if (chunk.length - at >= inner) {
          // the whole frame is in this chunk: no copy
          frames.push(parseFrameInner(chunk.subarray(at, at + inner)));
          at += inner;
          continue;
        }
        this.partialLength = inner;
        this.filled = 0;
      }
      const need = this.partialLength - this.filled;
      const take = Math.min(need, chunk.length - at);
      if (this.filled + take > this.partial.length) this.grow(this.filled + take);
      this.partial.set(chunk.subarray(at, at + take), this.filled);
      this.filled += take;
      at += take;
      if (this.filled === this.partialLength) {
        const inner = this.partial;
        this.partialLength = undefined;
        this.partial = EMPTY;
        this.filled = 0;
        frames.push(parseFrameInner(inner));
      }
    }
    return frames;
  }
}
