import { DEFAULT_WIRE_LIMITS, MAX_VOICE_DURATION_MS, MEDIA_BYTE_LIMITS } from '../protocol';
import { DEFAULT_CONTENT_BUDGET, DEFAULT_REVOKE_WINDOW_MS } from './chat/content-limits';

/**
 * Every limit and timing of the server, with units in the names. docs/server.md lists them in one
 * table; a test keeps that table and this object equal. The config may override any of them.
 */
export interface Tuning {
  /** Largest frame a client may send, header included. */
  readonly maxFrameBytes: number;
  /** Largest body after decompression. */
  readonly maxBodyBytes: number;
  /** Bodies above this size are deflated, by the server and (announced in HELLO_ACK) by clients. */
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
  /** Failed password logins allowed per remote address and existing sub-account within the window. */
  readonly maxFailedLogins: number;
  readonly failedLoginWindowMs: number;
  /**
   * Failed logins of every kind allowed per remote address within its window, whatever the app
   * and user named: unknown apps and users count here only, so junk cannot flush the other limits.
   */
  readonly maxFailedLoginsPerAddress: number;
  readonly addressFailedLoginWindowMs: number;
  /**
   * Keys (addresses, address + account, accounts) each failed-login limiter remembers; past it the
   * least recently failed key that is not blocked is forgotten (a blocked one never is).
   */
  readonly maxTrackedLoginKeys: number;
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
  /** Logged-in sessions of one user of one device kind (auto mode; force mode replaces them). */
  readonly maxSessionsPerUserDevice: number;
  /** Logged-in sessions from one remote address, all users and apps together. */
  readonly maxSessionsPerAddress: number;
  /** Logged-in sessions of one app, all its users together. */
  readonly maxSessionsPerApp: number;
  /** How often the server looks for access taken away by another process (the admin CLI). */
  readonly revocationPollMs: number;
  /** On stop, how long in-flight requests may take before sockets are closed anyway. */
  readonly shutdownGraceMs: number;
  /**
   * scrypt cost (N) for stored passwords and tokens; stored with each, so it may change. For a
   * password the client runs it at login (the server never does); clients refuse above 2^20.
   */
  readonly scryptCost: number;
  /** SQLite waits this long for a lock held by another process (e.g. an admin command). */
  readonly sqliteBusyTimeoutMs: number;
  /**
   * SQLite: how long one commit window stays open (docs/server.md "Commit window"); the write
   * transactions in it reach the disk as redo-log records and commit together. 0: every write
   * transaction commits by itself.
   */
  readonly commitWindowMs: number;
  /** SQLite: after each window's commit, write transactions commit alone this long (another process may write). */
  readonly commitWindowGapMs: number;
  /** SQLite: a window commits early once its redo log holds this many bytes. */
  readonly redoLogMaxBytes: number;
  /** PostgreSQL: a statement waits this long for a lock (another node's inbox head) before it fails (lock_timeout). */
  readonly pgLockTimeoutMs: number;
  /** PostgreSQL: a statement running longer fails (statement_timeout; migrations are not bounded). */
  readonly pgStatementTimeoutMs: number;
  /** PostgreSQL ends a session idle inside a transaction this long (a frozen node), releasing its locks. */
  readonly pgIdleInTransactionTimeoutMs: number;
  readonly maxNicknameChars: number;
  readonly maxAvatarChars: number;
  /** User ids one PROFILE_QUERY may name. */
  readonly maxProfileQueryIds: number;
  /** One-to-one conversations a user may mute (MUTE_UPDATE). */
  readonly maxMutedConversations: number;
  /** A sender may revoke a message this long after sending (group owners and admins at any time). */
  readonly revokeWindowMs: number;
  /**
   * A group with at least this many members stores its messages once, in its own timeline (read
   * diffusion), instead of once per member's inbox; once read-diffused it stays so.
   */
  readonly groupTimelineThreshold: number;
  /**
   * Timeline entries one copy into the inbox of a 2.0 client's user reads at most (its login, each
   * of its SYNCs, each push while it is online); the rest is copied by its following SYNCs.
   */
  readonly legacyCopyEntriesPerCall: number;
  /**
   * A read-diffused group's pushes leave at most once per this long: the first message after a
   * quiet spell at once, the ones sent meanwhile together when it is up, so a burst costs each
   * online member one socket write per interval instead of one per message. 0: every turn.
   */
  readonly largeGroupPushIntervalMs: number;
  /** The file service: the largest image, voice and file upload, in bytes. */
  readonly maxImageBytes: number;
  readonly maxVoiceBytes: number;
  readonly maxFileBytes: number;
  /** The longest voice message a SEND may announce: at most MAX_VOICE_DURATION_MS (60 s), which every SEND is held to. */
  readonly maxVoiceDurationMs: number;
  /** A media token (LOGIN_RESULT, MEDIA_TOKEN) is accepted this long after it is issued. */
  readonly mediaTokenTtlMs: number;
  /** An upload no SEND referenced within this time is deleted, finished or not. */
  readonly unreferencedUploadTtlMs: number;
  /** How often the server looks for such uploads. */
  readonly uploadSweepIntervalMs: number;
  /** An image's thumbnail fits in a square of this side (WebP). */
  readonly thumbnailMaxSidePx: number;
  /** Uploads one user may have begun and not yet finished or cancelled, at once (per node). */
  readonly maxUnfinishedUploadsPerUser: number;
  /**
   * Bytes (announced sizes) of the uploads one user may begin within uploadBytesWindowMs (per
   * node); at least the largest per-kind limit, so every upload the server takes can fit.
   */
  readonly maxUploadBytesPerUser: number;
  readonly uploadBytesWindowMs: number;
  /** Stored message content a sender may add per second, sustained (token bucket refill rate). */
  readonly contentBytesPerSecond: number;
  /** Stored message content a sender may add at once before the rate applies (bucket size). */
  readonly contentBurstBytes: number;
  /** Largest HTTP request body the REST API reads. */
  readonly httpBodyLimitBytes: number;
  /** A signed REST request's timestamp may differ from the server's time by at most this much. */
  readonly restSignatureWindowMs: number;
  /** Refused REST requests per remote address within the window; then all its requests are refused. */
  readonly restMaxRefusals: number;
  readonly restRefusalWindowMs: number;
  /** Items per page of a REST list (sub-accounts, history, members) at most. */
  readonly maxRestPageItems: number;
  /** A developer-console session unused this long is signed out. */
  readonly consoleSessionIdleMs: number;
  /** Console sessions kept at once; past it the least recently used one is signed out. */
  readonly maxConsoleSessions: number;
  /** Console sessions one account keeps at once; past it that account's least recently used one is signed out. */
  readonly maxConsoleSessionsPerAccount: number;
  /** One console test push per app at most this often (it answers what an address says: a probe). */
  readonly consoleTestPushIntervalMs: number;
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
  /** Of those, one app's at most: a slow or dead webhook leaves the other apps' pushes free slots. */
  readonly pushConcurrencyPerApp: number;
  /** Characters of a message's text in a push preview. */
  readonly pushPreviewChars: number;
  /** A cluster node announces its presence (and its seq, so gaps show) this often. */
  readonly clusterHeartbeatMs: number;
  /** A cluster node not heard from this long is forgotten, with its sessions. */
  readonly clusterNodeSilenceMs: number;
  /** This long after a login a cluster node sends the session a NOTIFY, for pushes routed before the others knew of it. */
  readonly clusterLoginRecheckMs: number;
  /** Sessions per part of a presence snapshot (one NATS message each). */
  readonly clusterSnapshotRowsPerPart: number;
  /** Routed pushes for one node leave early once a turn's batch reaches this many bytes. */
  readonly clusterRouteBatchBytes: number;
  /** Wait between reconnect attempts to NATS (with up to half of it again as jitter); forever. */
  readonly clusterReconnectWaitMs: number;
  /** How long a starting node keeps trying to reach NATS before it gives up (exit 4). */
  readonly clusterNatsStartTimeoutMs: number;
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
  maxFailedLoginsPerAddress: 50,
  addressFailedLoginWindowMs: 600_000,
  maxTrackedLoginKeys: 100_000,
  maxFailedLoginsPerAccount: 100,
  accountFailedLoginWindowMs: 900_000,
  signatureWindowMs: 300_000,
  md5TimestampUtcOffsetMinutes: 480,
  maxConnections: 10_000,
  maxPendingConnectionsPerAddress: 128,
  maxSessionsPerUserDevice: 5,
  maxSessionsPerAddress: 2_000,
  maxSessionsPerApp: 8_000,
  revocationPollMs: 250,
  shutdownGraceMs: 3_000,
  scryptCost: 16_384,
  sqliteBusyTimeoutMs: 5_000,
  commitWindowMs: 25,
  commitWindowGapMs: 3,
  redoLogMaxBytes: 16 * 1024 * 1024,
  pgLockTimeoutMs: 2_000,
  pgStatementTimeoutMs: 10_000,
  pgIdleInTransactionTimeoutMs: 10_000,
  maxNicknameChars: 64,
  maxAvatarChars: 512,
  maxProfileQueryIds: 100,
  maxMutedConversations: 1000,
  revokeWindowMs: DEFAULT_REVOKE_WINDOW_MS,
  groupTimelineThreshold: 200,
  legacyCopyEntriesPerCall: 1000,
  largeGroupPushIntervalMs: 50,
  // protocol's MEDIA_BYTE_LIMITS, the defaults clients assume of a server that tells none (LOGIN_RESULT limits)
  maxImageBytes: MEDIA_BYTE_LIMITS.image,
  maxVoiceBytes: MEDIA_BYTE_LIMITS.voice,
  maxFileBytes: MEDIA_BYTE_LIMITS.file,
  maxVoiceDurationMs: MAX_VOICE_DURATION_MS,
  mediaTokenTtlMs: 3_600_000,
  unreferencedUploadTtlMs: 86_400_000,
  uploadSweepIntervalMs: 600_000,
  thumbnailMaxSidePx: 320,
  // a client runs 2 uploads at once per device (main/engine/tuning.ts); a user with several devices
  // and some failed uploads kept to resume stays well under 20
  maxUnfinishedUploadsPerUser: 20,
  // a busy day (dozens of 20 MiB photos and a few 100 MiB files, about 2 GiB) fits twice over
  maxUploadBytesPerUser: 5 * 1024 * 1024 * 1024,
  uploadBytesWindowMs: 86_400_000,
  contentBytesPerSecond: DEFAULT_CONTENT_BUDGET.bytesPerSecond,
  contentBurstBytes: DEFAULT_CONTENT_BUDGET.burstBytes,
  httpBodyLimitBytes: 4 * 1024 * 1024,
  restSignatureWindowMs: 300_000,
  restMaxRefusals: 30,
  restRefusalWindowMs: 60_000,
  maxRestPageItems: 1_000,
  consoleSessionIdleMs: 8 * 3_600_000,
  maxConsoleSessions: 10_000,
  maxConsoleSessionsPerAccount: 20,
  consoleTestPushIntervalMs: 5_000,
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
  pushConcurrencyPerApp: 4,
  pushPreviewChars: 100,
  clusterHeartbeatMs: 1_000,
  clusterNodeSilenceMs: 3_000,
  clusterLoginRecheckMs: 1_000,
  clusterSnapshotRowsPerPart: 2_000,
  clusterRouteBatchBytes: 256 * 1024,
  clusterReconnectWaitMs: 250,
  clusterNatsStartTimeoutMs: 15_000,
};

export function resolveTuning(overrides: Partial<Tuning> = {}): Tuning {
  const tuning = { ...DEFAULT_TUNING, ...overrides };
  // every SEND is held to the protocol's 60 s, and clients record no longer: a higher value would promise what is refused
  if (!(tuning.maxVoiceDurationMs >= 1 && tuning.maxVoiceDurationMs <= MAX_VOICE_DURATION_MS)) {
    throw new RangeError(`tuning: maxVoiceDurationMs is ${tuning.maxVoiceDurationMs}; it may be 1 to ${MAX_VOICE_DURATION_MS} ms`);
  }
  // an upload above it could never start, however long its user waited
  const largestUpload = Math.max(tuning.maxImageBytes, tuning.maxVoiceBytes, tuning.maxFileBytes);
  if (!(tuning.maxUploadBytesPerUser >= largestUpload)) {
    throw new RangeError(`tuning: maxUploadBytesPerUser is ${tuning.maxUploadBytesPerUser}; it must be at least the largest upload a kind allows (${largestUpload} bytes)`);
  }
  if (!(tuning.maxUnfinishedUploadsPerUser >= 1)) {
    throw new RangeError(`tuning: maxUnfinishedUploadsPerUser is ${tuning.maxUnfinishedUploadsPerUser}; it must be at least 1`);
  }
  if (!(tuning.uploadBytesWindowMs >= 1)) {
    throw new RangeError(`tuning: uploadBytesWindowMs is ${tuning.uploadBytesWindowMs}; it must be at least 1`);
  }
  return tuning;
}
