import { createHash } from 'node:crypto';
import { ErrorCode, MagpieError, type Clock } from '../../protocol';
import { createFailureWindow } from '../auth/failure-window';
import { formatCompactTimestamp, parseCompactTimestamp } from '../auth/signature';
import type { Identity } from '../identity/identity';
import { constantTimeEqual } from '../identity/secrets';
import type { SharedReplays } from './rest-replays';

/** What a signed REST request carries (docs/rest.md "Signing"). */
export interface SignedRequest {
  readonly accountSid: string;
  /**
   * The `sig` query parameter: upper-case hex MD5(accountSid + authToken + timestamp); a list when
   * the query gives it more than once (refused: which one was meant is not the server's guess).
   */
  readonly sig: string | readonly string[] | undefined;
  /** The Authorization header: base64(accountSid + ':' + timestamp). */
  readonly authorization: string | undefined;
  /** Method, URL and body, so that only an identical request counts as a replay. */
  readonly method: string;
  readonly url: string;
  readonly body: unknown;
  readonly remoteAddress: string;
}

export interface RestAuth {
  /** Checks a request's signature; throws a MagpieError (a REST code) when it is refused. */
  verify(request: SignedRequest): void;
}

export interface RestAuthDeps {
  readonly identity: Identity;
  readonly clock: Clock;
  /** The timestamp may differ from the server's time by at most this much. */
  readonly signatureWindowMs: number;
  /** The timestamp's wall clock is at this UTC offset (the seed's: +480 minutes). */
  readonly utcOffsetMinutes: number;
  /** Refused requests allowed per remote address within the window; then every request is refused. */
  readonly maxRefusals: number;
  readonly refusalWindowMs: number;
  /** Told of each refused request (for the metrics). */
  readonly onRefused?: () => void;
  /**
   * PostgreSQL: the replay check shared by the nodes of one database (rest-replays.ts); the
   * memory of this node stays the fast path. Undefined on SQLite (one server).
   */
  readonly sharedReplays?: SharedReplays;
}

/** 429: every request from an address is refused until its refusals age out; says for how long (and Retry-After). */
export class RestRateLimited extends MagpieError {
  readonly retryAfterSeconds: number;
  constructor(blockedForMs: number, maxRefusals: number, windowMs: number) {
    const seconds = Math.max(1, Math.ceil(blockedForMs / 1000));
    super(
      ErrorCode.REST_RATE_LIMITED,
      `too many refused requests from this address (${maxRefusals} within ${windowMs / 1000} s): every request from it is refused for ${seconds} s more; fix what the refusals said, then retry`,
    );
    this.retryAfterSeconds = seconds;
  }
}

/** The classic form: MD5 of accountSid, token and timestamp, upper-case hex. */
export function restSignature(accountSid: string, authToken: string, timestamp: string): string {
  return createHash('md5').update(accountSid + authToken + timestamp).digest('hex').toUpperCase();
}

export function restAuthorization(accountSid: string, timestamp: string): string {
  return Buffer.from(`${accountSid}:${timestamp}`, 'utf8').toString('base64');
}

/** A UTC offset as people write it: UTC+8, UTC-3:30. */
function zoneOf(offset: number): string {
  const minutes = Math.abs(offset) % 60;
  return `UTC${offset < 0 ? '-' : '+'}${Math.floor(Math.abs(offset) / 60)}${minutes ? `:${String(minutes).padStart(2, '0')}` : ''}`;
}

export function createRestAuth(deps: RestAuthDeps): RestAuth {
  const { identity, clock } = deps;
  const refusals = createFailureWindow({ clock, windowMs: deps.refusalWindowMs, maxKeys: 100_000, blockAt: deps.maxRefusals });
  // accepted requests by key until their timestamp leaves the window: a second identical one is a replay
  const seen = new Map<string, number>();

  function forgetExpired(): void {
    const now = clock.now();
    for (const [key, until] of seen) {
      if (until > now) break;
      seen.delete(key);
    }
  }

  function check(request: SignedRequest): { replayKey: string; expiresMs: number } {
    const fail = (message: string, code: number = ErrorCode.REST_AUTH_FAILED) => new MagpieError(code, message);
    if (request.sig === undefined) throw fail('a REST request needs the sig query parameter: upper-case hex MD5(accountSid + authToken + timestamp)');
    if (typeof request.sig !== 'string') throw fail(`the sig query parameter is given ${request.sig.length} times: give it once`);
    const sig = request.sig;
    if (request.authorization === undefined) throw fail('a REST request needs the Authorization header: base64(accountSid + ":" + timestamp)');
    const header = request.authorization.replace(/^Basic\s+/i, '');
    if (header.startsWith(`${request.accountSid}:`)) {
      throw fail('the Authorization header holds accountSid:timestamp as plain text: send it base64-encoded');
    }
    const decoded = Buffer.from(header, 'base64').toString('utf8');
    // an account SID holds no colon: the first one ends it (a timestamp written with colons,
    // 2026-11-30 12:00:00, is then named as the timestamp it is)
    const colon = decoded.indexOf(':');
    const headerSid = decoded.slice(0, colon);
    const timestamp = decoded.slice(colon + 1);
    if (colon < 0 || headerSid !== request.accountSid) {
      throw fail('the Authorization header does not name this account: it is base64(accountSid + ":" + timestamp), with the accountSid of the path');
    }
    const signedAt = parseCompactTimestamp(timestamp, deps.utcOffsetMinutes);
    if (signedAt === undefined) {
      throw fail(
        `the Authorization timestamp ${JSON.stringify(timestamp.slice(0, 32))} is not yyyyMMddHHmmss (14 digits, e.g. ${formatCompactTimestamp(clock.now(), deps.utcOffsetMinutes)}, wall-clock time at ${zoneOf(deps.utcOffsetMinutes)})`,
      );
    }
    const token = identity.authTokenOf(request.accountSid);
    if (token === null) throw fail('this account has no checkable auth token: rotate it', ErrorCode.AUTH_TOKEN_UNAVAILABLE);
    // an unknown account is refused like a wrong signature, so accounts cannot be probed
    const expected = restSignature(request.accountSid, token ?? 'x'.repeat(32), timestamp);
    if (token === undefined || !constantTimeEqual(sig.toUpperCase(), expected)) {
      throw fail('the signature does not match: sig is the hex MD5 of accountSid + authToken + the timestamp in the Authorization header (check the auth token and that both use the same timestamp)');
    }
    const now = clock.now();
    if (Math.abs(now - signedAt) > deps.signatureWindowMs) {
      // a common mistake is a UTC timestamp: say which clock the server reads it on
      const off = Math.round((signedAt - now) / 1000);
      throw fail(
        `the timestamp is more than ${deps.signatureWindowMs} ms from the server's time (it is read as wall-clock time at ${zoneOf(deps.utcOffsetMinutes)}): ` +
          `${timestamp} is ${Math.abs(off)} s ${off > 0 ? 'ahead of' : 'behind'} the server's ${formatCompactTimestamp(now, deps.utcOffsetMinutes)}; check the clock and its time zone`,
        ErrorCode.REST_SIGNATURE_EXPIRED,
      );
    }
    const bodyHash = createHash('sha256').update(JSON.stringify(request.body ?? null)).digest('hex');
    const replayKey = `${sig}\u0000${request.method}\u0000${request.url}\u0000${bodyHash}`;
    if ((seen.get(replayKey) ?? 0) > now) throw fail('this signed request was already accepted', ErrorCode.REST_REPLAYED);
    return { replayKey, expiresMs: signedAt + deps.signatureWindowMs + 1 };
  }

  return {
    verify(request) {
      const address = request.remoteAddress;
      const blockedForMs = refusals.blockedForMs(address);
      if (blockedForMs > 0) throw new RestRateLimited(blockedForMs, deps.maxRefusals, deps.refusalWindowMs);
      let accepted;
      try {
        accepted = check(request);
        if (deps.sharedReplays !== undefined && !deps.sharedReplays.record(accepted.replayKey, accepted.expiresMs, clock.now())) {
          throw new MagpieError(ErrorCode.REST_REPLAYED, 'this signed request was already accepted');
        }
      } catch (error) {
        refusals.add(address);
        deps.onRefused?.();
        throw error;
      }
      forgetExpired();
      // re-inserted so the map stays in about expiry order (forgetExpired stops at the first live one)
      seen.delete(accepted.replayKey);
      seen.set(accepted.replayKey, accepted.expiresMs);
    },
  };
}
