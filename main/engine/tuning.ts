/**
 * Every timing of the client engine in one place, with its unit in its name. The engine reads only an EngineTuning it is given, so a test builds one with
 * createEngineTuning({ ...fastTestTuning }) and runs heartbeat, backoff and racing in milliseconds.
 */
export interface EngineTuning {
  // ---- heartbeat (heartbeat-policy.ts)
  /** The shortest heartbeat interval, and the one every (re)start begins with. */
  readonly minHeartbeatMs: number;
  /** The longest interval used while the server has not yet announced its idle timeout. */
  readonly maxHeartbeatMs: number;
  /** How much the interval grows after a run of successes. */
  readonly heartbeatStepMs: number;
  /** Consecutive successes at one interval before it grows by a step. */
  readonly successesBeforeGrowth: number;
  /** Consecutive failures after which the policy forgets what it learned and starts at the minimum. */
  readonly failuresBeforeReset: number;
  /** Kept below the server's idle timeout so a heartbeat always arrives before the server gives up. */
  readonly idleTimeoutMarginMs: number;
  /** How long a failing interval stays a ceiling the policy will not grow into again. */
  readonly failedIntervalMemoryMs: number;
  /** How long to wait for any frame after a ping before the heartbeat counts as failed. */
  readonly heartbeatTimeoutMs: number;

  // ---- connecting (address-book.ts, address-racer.ts)
  /** The delay before the next address joins a connect race (RFC 8305 uses 250 ms; we are patient). */
  readonly connectStaggerMs: number;
  /** One connect attempt (TCP, TLS and the server's first answer) fails after this long. */
  readonly connectTimeoutMs: number;
  /** A failing address is tried after the others for this long. */
  readonly addressBanMs: number;

  // ---- reconnecting (reconnect-backoff.ts)
  /** The first reconnect delay. */
  readonly backoffBaseMs: number;
  /** Reconnect delays never exceed this. */
  readonly backoffMaxMs: number;
  /** Each delay is reduced by up to this share at random, so clients cut off together spread out. */
  readonly backoffJitterRatio: number;
  /**
   * The cap (before jitter) while the last attempt found nothing listening: every address refused
   * the TCP connect (ECONNREFUSED: the server is stopped or restarting). Such an attempt costs the
   * server nothing (its kernel answers), so a waiting command can look again often and be back as
   * soon as the port opens. An attempt the server did answer (a failed HELLO or LOGIN, a timeout)
   * is spaced by backoffMaxMs as before. The desktop keeps backoffMaxMs here too: a crowd of apps
   * should come back spread over the long delays, not at the instant a restarted server listens.
   */
  readonly refusedBackoffMaxMs: number;
  /**
   * The delay (less jitter) before logging in again after TOO_MANY_SESSIONS_FROM_ADDRESS or
   * TOO_MANY_SESSIONS_FOR_APP: the server is full for us until others leave, and a crowd retrying
   * every backoffMaxMs would only load it more.
   */
  readonly capacityBackoffMs: number;

  // ---- requests and sync
  /** A request without an answer fails after this long. */
  readonly requestTimeoutMs: number;
  /** How long the server gets to answer HELLO and LOGIN. */
  readonly loginTimeoutMs: number;
  /** Entries asked for per SYNC page. */
  readonly syncPageEntries: number;
  /** Confirms are coalesced for this long, so a burst of pushes costs one CONFIRM. */
  readonly confirmDelayMs: number;
  /**
   * TIMELINE_CONFIRMs of pushed large-group entries are coalesced for this long. Longer than the
   * inbox's: in a busy large group every member confirms, and each confirm is a frame and a write
   * the server pays per member, while nothing waits on it (the server's offline push reads the
   * inbox's confirms only; a confirm lost with the link re-pulls a few entries, kept once by seq).
   */
  readonly timelineConfirmDelayMs: number;
  /** Outbox SENDs awaiting their receipt at once on one link; the rest wait their turn, in order. */
  readonly maxSendsInFlight: number;
  /**
   * A group create cut off by a lost connection (or unanswered) goes again with its request id once
   * the client is online, until this long after it was first asked; then it fails, and a press of
   * Create with the same settings goes on with the same request id (main/groups/group-create-ids.ts).
   */
  readonly groupCreateRetryMs: number;

  // ---- files (main/files/media-outbox.ts)
  /** Media uploads running at once; later ones wait their turn, in the order they were sent. */
  readonly maxUploadsAtOnce: number;

  // ---- names (main/profiles/profile-service.ts)
  /**
   * No event tells of another user's new nickname: a message from someone whose profile this
   * session has not asked for in this long asks again, so their new name shows in the list.
   */
  readonly profileRecheckMs: number;
}

/** Desktop defaults: a wired or Wi-Fi network behind a home NAT, whose mappings live a few minutes at least. */
export const desktopTuning: EngineTuning = Object.freeze({
  minHeartbeatMs: 60_000,
  maxHeartbeatMs: 270_000,
  heartbeatStepMs: 30_000,
  successesBeforeGrowth: 3,
  failuresBeforeReset: 3,
  idleTimeoutMarginMs: 15_000,
  failedIntervalMemoryMs: 30 * 60_000,
  heartbeatTimeoutMs: 10_000,
  connectStaggerMs: 2_500,
  connectTimeoutMs: 10_000,
  addressBanMs: 5 * 60_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 60_000,
  backoffJitterRatio: 0.5,
  refusedBackoffMaxMs: 60_000,
  capacityBackoffMs: 5 * 60_000,
  requestTimeoutMs: 15_000,
  loginTimeoutMs: 10_000,
  syncPageEntries: 200,
  confirmDelayMs: 200,
  timelineConfirmDelayMs: 2_000,
  maxSendsInFlight: 64,
  groupCreateRetryMs: 60_000,
  maxUploadsAtOnce: 2,
  profileRecheckMs: 60_000,
});

/** Overrides that make every timing short, for tests of the engine against a real server on loopback. */
export const fastTestTuning: Partial<EngineTuning> = Object.freeze({
  minHeartbeatMs: 200,
  maxHeartbeatMs: 1_000,
  heartbeatStepMs: 100,
  successesBeforeGrowth: 2,
  idleTimeoutMarginMs: 100,
  failedIntervalMemoryMs: 5_000,
  heartbeatTimeoutMs: 300,
  connectStaggerMs: 100,
  connectTimeoutMs: 1_000,
  addressBanMs: 2_000,
  backoffBaseMs: 20,
  backoffMaxMs: 500,
  capacityBackoffMs: 2_000,
  requestTimeoutMs: 2_000,
  loginTimeoutMs: 2_000,
  confirmDelayMs: 10,
  timelineConfirmDelayMs: 10,
  groupCreateRetryMs: 10_000,
});

/**
 * The command line's overrides. A person (or a script) waits on one command, so a stopped or
 * restarting server is looked for every 0.5-1 s (refusedBackoffMaxMs, less jitter) and the command
 * goes on within a second of the server listening again, where the desktop's doubling delays had
 * reached 8-16 s after a few failures. A server that answers but fails the login still gets the
 * desktop's doubling delays.
 */
export const cliTuning: Partial<EngineTuning> = Object.freeze({
  refusedBackoffMaxMs: 1_000,
});

/** The desktop defaults with some values replaced; refuses values that make no sense together. */
export function createEngineTuning(overrides: Partial<EngineTuning> = {}): EngineTuning {
  const tuning: EngineTuning = { ...desktopTuning, ...overrides };
  for (const [name, value] of Object.entries(tuning)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw invalid(`${name} must be a finite number >= 0, got ${String(value)}`);
    }
  }
  if (tuning.minHeartbeatMs <= 0) throw invalid('minHeartbeatMs must be > 0');
  if (tuning.maxHeartbeatMs < tuning.minHeartbeatMs) throw invalid('maxHeartbeatMs must be >= minHeartbeatMs');
  if (tuning.successesBeforeGrowth < 1) throw invalid('successesBeforeGrowth must be >= 1');
  if (tuning.failuresBeforeReset < 1) throw invalid('failuresBeforeReset must be >= 1');
  if (tuning.backoffMaxMs < tuning.backoffBaseMs) throw invalid('backoffMaxMs must be >= backoffBaseMs');
  if (tuning.backoffJitterRatio > 1) throw invalid('backoffJitterRatio must be between 0 and 1');
  if (tuning.syncPageEntries < 1) throw invalid('syncPageEntries must be >= 1');
  if (tuning.maxSendsInFlight < 1) throw invalid('maxSendsInFlight must be >= 1');
  if (tuning.maxUploadsAtOnce < 1) throw invalid('maxUploadsAtOnce must be >= 1');
  return Object.freeze(tuning);
}

// A bad tuning is a programming error caught at start-up, not a condition users meet: no MagpieError code.
function invalid(message: string): RangeError {
  return new RangeError(`engine tuning: ${message}`);
}
