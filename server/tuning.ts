import { DEFAULT_WIRE_LIMITS } from '../protocol';
import { DEFAULT_REVOKE_WINDOW_MS } from './chat/content-limits';

/**
 * Every limit and timing of the server, with units in the names. docs/server.md lists them in one
 * table; a test keeps that table and this object equal. The config may override any of them.
 */
export interface Tuning {
  /** Largest frame a client may send, header included. */
  readonly maxFrameBytes: number;
  /** Largest body after decompression. */
  readonly maxBodyBytes: number;
  /** Bodies the server sends above this size are deflated. */
  readonly compressThresholdBytes: number;
  /** A socket that has not logged in within this time is closed. */
  readonly loginTimeoutMs: number;
  /** A logged-in session silent for this long is closed; announced in LOGIN_RESULT. */
  readonly idleTimeoutMs: number;
  /** Sustained requests per second per connection (token bucket refill rate). */
  readonly requestsPerSecond: number;
  /** Requests a connection may send at once before the rate applies (bucket size). */
  readonly requestBurst: number;
  /** Frames received but not yet handled, per connection, above which reading pauses. */
  readonly maxQueuedRequests: number;
  /** Bytes waiting in a socket's write buffer above which the server stops reading from it. */
  readonly writeHighWaterBytes: number;
  /** Bytes waiting in a socket's write buffer above which the connection is dropped. */
  readonly maxWriteBufferBytes: number;
  /** A socket whose write buffer stays above the high-water mark this long is dropped. */
  readonly writeStallTimeoutMs: number;
  /** Failed logins allowed per remote address and user within the window. */
  readonly maxFailedLogins: number;
  readonly failedLoginWindowMs: number;
  /** Failed logins allowed per account from all addresses together within its window. */
  readonly maxFailedLoginsPerAccount: number;
  readonly accountFailedLoginWindowMs: number;
  /** A signed login's timestamp may differ from the server's time by at most this much. */
  readonly signatureWindowMs: number;
  /** The MD5 login form's yyyyMMddHHmmss is wall-clock time at this UTC offset (the seed's: +8 h). */
  readonly md5TimestampUtcOffsetMinutes: number;
  /** Open connections the server accepts at most (per listener). */
  readonly maxConnections: number;
  /** Connections from one remote address that may be open without having logged in yet. */
  readonly maxPendingConnectionsPerAddress: number;
  /** On stop, how long in-flight requests may take before sockets are closed anyway. */
  readonly shutdownGraceMs: number;
  /** scrypt cost (N) for stored passwords and tokens; stored with each hash, so it may change. */
  readonly scryptCost: number;
  /** SQLite waits this long for a lock held by another process (e.g. an admin command). */
  readonly sqliteBusyTimeoutMs: number;
  readonly maxNicknameChars: number;
  readonly maxAvatarChars: number;
  /** User ids one PROFILE_QUERY may name. */
  readonly maxProfileQueryIds: number;
  /** A sender may revoke a message this long after sending (group owners and admins at any time). */
  readonly revokeWindowMs: number;
  /** Largest HTTP request body the REST API reads. */
  readonly httpBodyLimitBytes: number;
  /** A signed REST request's timestamp may differ from the server's time by at most this much. */
  readonly restSignatureWindowMs: number;
  /** Refused REST requests per remote address within the window; then all its requests are refused. */
  readonly restMaxRefusals: number;
  readonly restRefusalWindowMs: number;
  /** Items per page of a REST list (sub-accounts, history, members) at most. */
  readonly maxRestPageItems: number;
  /** User ids one REST presence query may name. */
  readonly maxPresenceQueryUsers: number;
  /** User ids a broadcast's list may name (without a list it goes to every user). */
  readonly maxBroadcastListUsers: number;
  /** Recipients a broadcast sends per chunk: one commit each, the event loop free between chunks. */
  readonly broadcastChunkUsers: number;
  /** An offline push waits this long for more messages to merge with, and for the user to come back. */
  readonly pushDelayMs: number;
  /** After a push to a user, the next one waits at least this long (the messages in between merge). */
  readonly pushMinIntervalMs: number;
  /** A failed push is retried after this, doubling each time up to pushRetryMaxMs. */
  readonly pushRetryBaseMs: number;
  readonly pushRetryMaxMs: number;
  /** Attempts before a push is dropped (and logged). */
  readonly pushMaxAttempts: number;
  /** A webhook call that takes longer than this has failed. */
  readonly pushTimeoutMs: number;
  /** Webhook calls in flight at once. */
  readonly pushConcurrency: number;
  /** Characters of a message's text in a push preview. */
  readonly pushPreviewChars: number;
}

export const DEFAULT_TUNING: Tuning = {
  maxFrameBytes: DEFAULT_WIRE_LIMITS.maxFrameBytes,
  maxBodyBytes: DEFAULT_WIRE_LIMITS.maxBodyBytes,
  compressThresholdBytes: DEFAULT_WIRE_LIMITS.compressThresholdBytes,
  loginTimeoutMs: 10_000,
  idleTimeoutMs: 600_000,
  requestsPerSecond: 50,
  requestBurst: 100,
  maxQueuedRequests: 64,
  writeHighWaterBytes: 1024 * 1024,
  maxWriteBufferBytes: 8 * 1024 * 1024,
  writeStallTimeoutMs: 30_000,
  maxFailedLogins: 5,
  failedLoginWindowMs: 60_000,
  maxFailedLoginsPerAccount: 100,
  accountFailedLoginWindowMs: 900_000,
  signatureWindowMs: 300_000,
  md5TimestampUtcOffsetMinutes: 480,
  maxConnections: 10_000,
  maxPendingConnectionsPerAddress: 128,
  shutdownGraceMs: 3_000,
  scryptCost: 16_384,
  sqliteBusyTimeoutMs: 5_000,
  maxNicknameChars: 64,
  maxAvatarChars: 512,
  maxProfileQueryIds: 100,
  revokeWindowMs: DEFAULT_REVOKE_WINDOW_MS,
  httpBodyLimitBytes: 4 * 1024 * 1024,
  restSignatureWindowMs: 300_000,
  restMaxRefusals: 30,
  restRefusalWindowMs: 60_000,
  maxRestPageItems: 1_000,
  maxPresenceQueryUsers: 500,
  maxBroadcastListUsers: 100_000,
  broadcastChunkUsers: 500,
  pushDelayMs: 2_000,
  pushMinIntervalMs: 60_000,
  pushRetryBaseMs: 2_000,
  pushRetryMaxMs: 600_000,
  pushMaxAttempts: 12,
  pushTimeoutMs: 10_000,
  pushConcurrency: 16,
  pushPreviewChars: 100,
};

export function resolveTuning(overrides: Partial<Tuning> = {}): Tuning {
  return { ...DEFAULT_TUNING, ...overrides };
}
