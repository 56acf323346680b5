import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ErrorCode, MagpieError, type Clock } from '../../protocol';

/** Who a media token speaks for. */
export interface MediaBearer {
  readonly appId: string;
  readonly userId: string;
}

export interface MediaToken {
  readonly token: string;
  readonly expiresMs: number;
}

export interface MediaTokens {
  issue(appId: string, userId: string): MediaToken;
  /** The bearer of a valid, unexpired token; MEDIA_TOKEN_INVALID otherwise. */
  verify(token: string): MediaBearer;
}

export interface MediaTokenDeps {
  readonly clock: Clock;
  readonly ttlMs: number;
  /** The HMAC key; a fresh random one per process when absent (tokens are short-lived). */
  readonly key?: Buffer;
  /**
   * Why the token's user may no longer use its app (AccessControl.refusalOf), checked at every
   * use: access taken away (a closed sub-account, an app offline) ends the token at once, not at
   * its expiry. Absent: only the signature and the expiry are checked.
   */
  readonly refusalOf?: (appId: string, userId: string) => string | undefined;
}

/**
 * Short-lived bearer tokens for the HTTP file service, issued with each session: the payload
 * (app, user, expiry) in base64url, a dot, then its HMAC-SHA256 under the server's key.
 */
export function createMediaTokens(deps: MediaTokenDeps): MediaTokens {
  const key = deps.key ?? randomBytes(32);
  const sign = (payload: string) => createHmac('sha256', key).update(payload).digest();
  return {
    issue(appId, userId) {
      const expiresMs = deps.clock.now() + deps.ttlMs;
      const payload = Buffer.from(JSON.stringify({ a: appId, u: userId, e: expiresMs })).toString('base64url');
      return { token: `${payload}.${sign(payload).toString('base64url')}`, expiresMs };
    },
    verify(token) {
      const [payload, signature, extra] = token.split('.');
      if (payload === undefined || signature === undefined || extra !== undefined) refuse('a malformed media token');
      const given = Buffer.from(signature, 'base64url');
      const expected = sign(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) refuse('a media token with a wrong signature');
      const claims = parseClaims(payload);
      if (claims.e <= deps.clock.now()) refuse('the media token has expired; refresh it with MEDIA_TOKEN');
      const refusal = deps.refusalOf?.(claims.a, claims.u);
      if (refusal !== undefined) refuse(`the media token no longer counts: ${refusal}`);
      return { appId: claims.a, userId: claims.u };
    },
  };
}

function parseClaims(payload: string): { a: string; u: string; e: number } {
  try {
    const value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { a?: unknown; u?: unknown; e?: unknown };
    if (typeof value.a === 'string' && typeof value.u === 'string' && typeof value.e === 'number') return { a: value.a, u: value.u, e: value.e };
  } catch {
    // a signed payload that does not parse is refused below like any other
  }
  return refuse('a malformed media token');
}

function refuse(message: string): never {
  throw new MagpieError(ErrorCode.MEDIA_TOKEN_INVALID, message);
}
