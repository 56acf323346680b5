/**
 * A protobuf writer into one buffer sized up front, for the small bodies of fast-codec.ts.
 * protobuf-es's BinaryWriter keeps a list of chunks (each string is encoded into an array of its
 * own, then copied) and joins them at the end: for a message of a few short fields that bookkeeping
 * cost more than the bytes. Here the caller states an upper bound of the size, each string is
 * encoded in place, and the result is copied out once. The bytes are the wire format's, so they
 * equal BinaryWriter's (test/unit/protocol/fast-codec.test.ts).
 */

const encoder = new TextEncoder();

/** Bytes a varint of a 64-bit value takes at most. */
export const MAX_VARINT_BYTES = 10;
/** The upper bound of a string field's size: tag, length prefix, 3 bytes per UTF-16 unit. */
export function stringFieldBound(value: string): number {
  return 2 + 5 + 3 * value.length;
}

const TWO_64 = 1n << 64n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** Whether a value is a uint64 bigint (anything else, a number too, is for protobuf-es to judge). */
export function isUint64(value: bigint): boolean {
  return typeof value === 'bigint' && value >= 0n && value < TWO_64;
}

/**
 * The buffer writers write into, shared: a writer is used from start to finish() in one go and
 * never inside another, and finish() copies its bytes out, so one buffer serves them all instead of
 * a fresh one per body (each was an allocation outside V8's heap, freed by a sweep after GC).
 */
let shared = new Uint8Array(4096);
/** Bodies larger than this get a buffer of their own, so one large text does not hold memory for good. */
const SHARED_MAX_BYTES = 64 * 1024;

export class FlatWriter {
  private readonly buf: Uint8Array;
  private pos = 0;

  constructor(bound: number) {
    if (bound > SHARED_MAX_BYTES) this.buf = new Uint8Array(bound);
    else {
      if (bound > shared.length) shared = new Uint8Array(Math.min(SHARED_MAX_BYTES, Math.max(bound, 2 * shared.length)));
      this.buf = shared;
    }
  }

  /** A field's key: (number << 3) | wire type; numbers here are below 16, one byte. */
  tag(fieldNo: number, wireType: number): this {
    this.buf[this.pos++] = (fieldNo << 3) | wireType;
    return this;
  }

  /** A varint of a non-negative safe integer. */
  uint(value: number): this {
    while (value >= 0x80) {
      this.buf[this.pos++] = (value & 0x7f) | 0x80;
      value = Math.floor(value / 128);
    }
    this.buf[this.pos++] = value;
    return this;
  }

  /** A varint of a uint64 (isUint64). */
  uint64(value: bigint): this {
    if (value <= MAX_SAFE) return this.uint(Number(value));
    while (value >= 0x80n) {
      this.buf[this.pos++] = Number(value & 0x7fn) | 0x80;
      value >>= 7n;
    }
    this.buf[this.pos++] = Number(value);
    return this;
  }

  /** An int32 as protobuf writes it: a negative one sign-extended to 64 bits (ten bytes). */
  int32(value: number): this {
    return value >= 0 ? this.uint(value) : this.uint64(BigInt.asUintN(64, BigInt(value)));
  }

  /** A string's length and UTF-8 bytes (lone surrogates become U+FFFD, as TextEncoder makes them). */
  string(value: string): this {
    // the length prefix takes one byte when the bytes cannot reach 128, else room for five,
    // and the bytes move back over what the prefix did not need
    const wide = 3 * value.length >= 128;
    const start = this.pos + (wide ? 5 : 1);
    const { written } = encoder.encodeInto(value, this.buf.subarray(start));
    if (!wide) {
      this.buf[this.pos] = written;
      this.pos = start + written;
      return this;
    }
    this.uint(written);
    if (this.pos !== start) this.buf.copyWithin(this.pos, start, start + written);
    this.pos += written;
    return this;
  }

  bytes(value: Uint8Array): this {
    this.uint(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
    return this;
  }

  /** The bytes written, in an array of their own. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.pos);
  }
}
