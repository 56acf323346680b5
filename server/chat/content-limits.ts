import { MESSAGE_LIMITS } from '../../protocol';

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
  maxVoiceDurationMs: 10 * 60 * 1000,
  maxImageSidePx: 100_000,
} as const;

/** Anyone may revoke their own message this long after sending; owners and admins at any time. */
export const DEFAULT_REVOKE_WINDOW_MS = 2 * 60 * 1000;
