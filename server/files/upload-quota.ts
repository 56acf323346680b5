import { ErrorCode, MagpieError, type Clock } from '../../protocol';

export interface UploadQuotaLimits {
  /** Uploads of one user begun here and neither finished, cancelled nor swept. */
  readonly maxUnfinishedUploadsPerUser: number;
  /** Bytes (declared sizes) of the uploads one user began here within the window. */
  readonly maxUploadBytesPerUser: number;
  readonly uploadBytesWindowMs: number;
  /** An unfinished upload stops counting this long after its start: the sweep deletes it then. */
  readonly unreferencedUploadTtlMs: number;
}

export interface UploadQuotaDeps {
  readonly clock: Clock;
  readonly limits: UploadQuotaLimits;
}

export interface UploadStart {
  readonly fileId: string;
  readonly appId: string;
  readonly userId: string;
  readonly bytes: number;
}

/** A refused start: UPLOAD_QUOTA_EXCEEDED with the time it fits again (HTTP Retry-After). */
export class UploadQuotaExceeded extends MagpieError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(ErrorCode.UPLOAD_QUOTA_EXCEEDED, message);
  }
}

export interface UploadQuota {
  /** Counts the upload, or throws UploadQuotaExceeded and counts nothing. */
  admit(start: UploadStart): void;
  /** The upload is no longer unfinished (finished, refused at intake, cancelled). */
  release(fileId: string): void;
}

/** Byte-log entries per user at most: starts closer together than window / this share one entry. */
const LOG_SLOTS = 1440;

interface UserUse {
  /** Unfinished uploads begun here: file id -> start time. */
  readonly unfinished: Map<string, number>;
  /**
   * Bytes begun, oldest first. An entry holds the starts of one slot from its first (firstMs);
   * it expires by its latest (timeMs): late by at most a slot, never early.
   */
  readonly log: { firstMs: number; timeMs: number; bytes: number }[];
  bytesInLog: number;
}

/**
 * Per-user upload limits of this node (docs/server.md "The file service"): at most so many
 * unfinished uploads at once, and at most so many bytes begun within a rolling window. Kept in
 * memory: what another node or an earlier process began is not counted here. A client's uploads
 * go to the node it is logged in to (media tokens are that node's), so the node that counted an
 * upload is the one that sees it finish or cancelled; an unfinished one stops counting when the
 * sweep's time for it is up.
 */
export function createUploadQuota(deps: UploadQuotaDeps): UploadQuota {
  const { limits } = deps;
  const users = new Map<string, UserUse>();
  const userOfFile = new Map<string, string>();
  const slotMs = Math.max(1, Math.floor(limits.uploadBytesWindowMs / LOG_SLOTS));
  let pruneAllAbove = 1024;

  const forget = (fileId: string) => {
    const key = userOfFile.get(fileId);
    userOfFile.delete(fileId);
    if (key !== undefined) users.get(key)?.unfinished.delete(fileId);
  };

  /** Drops what no longer counts: bytes older than the window, unfinished uploads past their TTL. */
  const prune = (use: UserUse, now: number) => {
    while (use.log.length > 0 && use.log[0]!.timeMs <= now - limits.uploadBytesWindowMs) use.bytesInLog -= use.log.shift()!.bytes;
    for (const [fileId, startMs] of use.unfinished) if (startMs <= now - limits.unreferencedUploadTtlMs) forget(fileId);
  };

  // amortised: the map never holds more than about twice the users who uploaded within the window
  const pruneIdleUsers = (now: number) => {
    if (users.size <= pruneAllAbove) return;
    for (const [key, use] of users) {
      prune(use, now);
      if (use.log.length === 0 && use.unfinished.size === 0) users.delete(key);
    }
    pruneAllAbove = Math.max(1024, users.size * 2);
  };

  const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

  return {
    admit(start) {
      const now = deps.clock.now();
      pruneIdleUsers(now);
      const key = `${start.appId}\u0000${start.userId}`;
      let use = users.get(key);
      if (use === undefined) {
        use = { unfinished: new Map(), log: [], bytesInLog: 0 };
        users.set(key, use);
      }
      prune(use, now);
      if (use.unfinished.size >= limits.maxUnfinishedUploadsPerUser) {
        const oldestMs = Math.min(...use.unfinished.values());
        const fitsMs = oldestMs + limits.unreferencedUploadTtlMs;
        throw new UploadQuotaExceeded(
          `${use.unfinished.size} uploads of yours are unfinished, the most at once on this server (${limits.maxUnfinishedUploadsPerUser}): ` +
            `finish or cancel one; else the oldest expires and a new upload fits again at ${at(fitsMs)}`,
          fitsMs - now,
        );
      }
      if (use.bytesInLog + start.bytes > limits.maxUploadBytesPerUser) {
        // the first moment enough of the window's bytes have aged out for this one
        let left = use.bytesInLog;
        let fitsMs = now;
        for (const entry of use.log) {
          left -= entry.bytes;
          fitsMs = entry.timeMs + limits.uploadBytesWindowMs;
          if (left + start.bytes <= limits.maxUploadBytesPerUser) break;
        }
        throw new UploadQuotaExceeded(
          `your uploads begun within the last ${hoursOf(limits.uploadBytesWindowMs)} come to ${use.bytesInLog} bytes; this server takes at most ` +
            `${limits.maxUploadBytesPerUser} bytes per user in that time: this one (${start.bytes} bytes) fits again at ${at(fitsMs)}`,
          fitsMs - now,
        );
      }
      use.unfinished.set(start.fileId, now);
      userOfFile.set(start.fileId, key);
      const last = use.log.at(-1);
      if (last !== undefined && now - last.firstMs < slotMs) {
        last.bytes += start.bytes;
        last.timeMs = now;
      } else {
        use.log.push({ firstMs: now, timeMs: now, bytes: start.bytes });
      }
      use.bytesInLog += start.bytes;
    },
    release: forget,
  };
}

function hoursOf(ms: number): string {
  const hours = ms / 3_600_000;
  if (hours >= 1) return `${Number.isInteger(hours) ? hours : hours.toFixed(1)} h`;
  return `${Math.ceil(ms / 1000)} s`;
}
