import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../protocol';

/** A signed-in developer: the main account, and a fingerprint of the auth token it signed in with. */
export interface ConsoleSession {
  readonly accountSid: string;
  /** SHA-256 of the auth token at sign-in: a rotated token ends the session. */
  readonly tokenFingerprint: string;
}

export interface ConsoleSessions {
  /** Opens a session; answers the id for the cookie (the store keeps only its hash). */
  open(session: ConsoleSession): string;
  /** The session of a cookie's id, if it exists and was used within the idle time; touches it. */
  find(id: string): ConsoleSession | undefined;
  close(id: string): void;
  readonly size: number;
}

export interface ConsoleSessionsDeps {
  readonly clock: Clock;
  readonly idleMs: number;
  /** The last resort across all accounts; each account is first held to maxPerAccount. */
  readonly maxSessions: number;
  /** Sessions one account keeps; a further sign-in signs out that account's least recently used. */
  readonly maxPerAccount: number;
}

export function fingerprint(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * Console sessions in memory (a restart signs everyone out, which costs a sign-in). Keyed by the
 * hash of the random id, so a heap dump or a log of the map gives no usable cookie.
 */
export function createConsoleSessions(deps: ConsoleSessionsDeps): ConsoleSessions {
  // insertion order is use order: find() re-inserts, so the first entry is the least recently used
  const byHash = new Map<string, { session: ConsoleSession; usedMs: number }>();

  function expire(): void {
    const now = deps.clock.now();
    for (const [hash, entry] of byHash) {
      if (now - entry.usedMs < deps.idleMs && byHash.size <= deps.maxSessions) break;
      byHash.delete(hash);
    }
  }

  // one account signing in again and again signs out only its own sessions, not everyone's
  // (a scan of the map: sign-ins are rare, and the per-account cap keeps it from mattering)
  function evictOwnOldest(accountSid: string): void {
    let own = 0;
    for (const entry of byHash.values()) if (entry.session.accountSid === accountSid) own += 1;
    for (const [hash, entry] of byHash) {
      if (own <= deps.maxPerAccount) break;
      if (entry.session.accountSid !== accountSid) continue;
      byHash.delete(hash);
      own -= 1;
    }
  }

  return {
    open(session) {
      const id = randomBytes(32).toString('base64url');
      byHash.set(fingerprint(id), { session, usedMs: deps.clock.now() });
      evictOwnOldest(session.accountSid);
      expire();
      return id;
    },
    find(id) {
      expire();
      const hash = fingerprint(id);
      const entry = byHash.get(hash);
      if (!entry) return undefined;
      byHash.delete(hash);
      byHash.set(hash, { session: entry.session, usedMs: deps.clock.now() });
      return entry.session;
    },
    close(id) {
      byHash.delete(fingerprint(id));
    },
    get size() {
      return byHash.size;
    },
  };
}
