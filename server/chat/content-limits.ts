/** Limits of a message's content; docs/server.md "Messages and sync" lists them. */
export const CONTENT_LIMITS = {
  /** Characters (UTF-16 code units) of a text message or a media caption. */
  maxTextChars: 5_000,
  maxMentions: 50,
  minClientMsgIdBytes: 8,
  maxClientMsgIdBytes: 64,
  maxFileIdChars: 256,
  maxFileNameChars: 255,
  maxMimeChars: 127,
  maxMediaBytes: 2 * 1024 * 1024 * 1024,
  maxVoiceDurationMs: 10 * 60 * 1000,
  maxImageSidePx: 100_000,
  maxLocationTextChars: 256,
  maxCommandChars: 64,
  maxCustomPayloadBytes: 16 * 1024,
} as const;

/** Anyone may revoke their own message this long after sending; owners and admins at any time. */
export const DEFAULT_REVOKE_WINDOW_MS = 2 * 60 * 1000;
