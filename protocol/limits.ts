/** Wire limits. Both ends enforce them; the server announces its own in HELLO_ACK. */
export interface WireLimits {
  /** The largest frame, header included, a peer may send: checked from the length prefix alone. */
  readonly maxFrameBytes: number;
  /** The largest body after decompression. */
  readonly maxBodyBytes: number;
  /** Bodies larger than this are deflated; smaller ones never are. */
  readonly compressThresholdBytes: number;
}

export const DEFAULT_WIRE_LIMITS: WireLimits = {
  maxFrameBytes: 256 * 1024,
  maxBodyBytes: 1024 * 1024,
  compressThresholdBytes: 512,
};

/** The length prefix is a varint of at most this many bytes (values below 2^28). */
export const MAX_LENGTH_PREFIX_BYTES = 4;

export const PROTOCOL_MAJOR = 2;
export const PROTOCOL_MINOR = 1;

/**
 * Cursors one TIMELINE_CONFIRM may carry; the server refuses more (BAD_BODY), so a client in more
 * large groups sends several. Bounds the work of one frame (a compressed 1 MiB body could repeat
 * one cursor tens of thousands of times).
 */
export const MAX_TIMELINE_CONFIRM_CURSORS = 256;
