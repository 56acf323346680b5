import { DEFAULT_SERVER_LIMITS, MAX_VOICE_DURATION_MS, MESSAGE_LIMITS } from '../../protocol';

/**
 * Limits of a message's content; docs/server.md "Messages and sync" lists them. Those a client
 * also offers come from protocol's MESSAGE_LIMITS, so the desktop's composer counts the same.
 */
export const CONTENT_LIMITS = {
  ...MESSAGE_LIMITS,
  minClientMsgIdBytes: 8,
  maxClientMsgIdBytes: 64,
  maxFileIdChars: 256,
  maxFileNameChars: 255,
  maxMimeChars: 127,
  maxMediaBytes: 2 * 1024 * 1024 * 1024,
  /** The file service's default too (tuning maxVoiceDurationMs, which may only be lower), so a SEND and its upload agree. */
  maxVoiceDurationMs: MAX_VOICE_DURATION_MS,
  maxImageSidePx: 100_000,
  /**
   * A stored message's encoding, at most. The limits above keep every valid message under about
   * 40 KiB (5,000 characters of text, counted in code points, are up to 20,000 bytes); this bounds what one entry adds to
   * a sync page or a push, whatever a future field allows.
   */
  maxStoredMessageBytes: 48 * 1024,
} as const;

/** Anyone may revoke their own message this long after sending; owners and admins at any time. */
export const DEFAULT_REVOKE_WINDOW_MS = DEFAULT_SERVER_LIMITS.revokeWindowMs;

/**
 * Stored content per sender: 2 MiB at once (some 10,000 short texts), then 32 KiB/s (far beyond
 * any person's typing; a bot that needs more gets its own tuning).
 */
export const DEFAULT_CONTENT_BUDGET = { bytesPerSecond: 32 * 1024, burstBytes: 2 * 1024 * 1024 } as const;
