/**
 * Limits of a message's content, shared by the server that enforces them and the client that
 * offers them (its composer counts against these), so the two never disagree. Pure constants:
 * the client's contract re-exports this file alone.
 */
export const MESSAGE_LIMITS = {
  /** Characters (UTF-16 code units) of a text message or a media caption. */
  maxTextChars: 5_000,
  maxMentions: 50,
  maxLocationTextChars: 256,
  maxCommandChars: 64,
  maxCustomPayloadBytes: 16 * 1024,
} as const;
