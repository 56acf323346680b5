import { ErrorCode, MagpieError, type Clock } from '../../protocol';
import { createFailureWindow } from '../auth/failure-window';
import type { Identity } from '../identity/identity';
import { constantTimeEqual } from '../identity/secrets';
import { fingerprint, type ConsoleSession } from './console-sessions';

export interface ConsoleSignIn {
  /** Checks a main account's sid and auth token; throws a MagpieError (a REST code) when refused. */
  check(accountSid: string, authToken: string, remoteAddress: string): ConsoleSession;
  /** Whether the session's account still has the token it signed in with. */
  stillValid(session: ConsoleSession): boolean;
}

export interface ConsoleSignInDeps {
  readonly identity: Identity;
  readonly clock: Clock;
  /** Refused sign-ins per address within the window (the REST refusal limits). */
  readonly maxRefusals: number;
  readonly refusalWindowMs: number;
  readonly onRefused?: () => void;
}

/** A token of the same length as a real one, compared against when the account does not exist. */
const ABSENT_TOKEN = 'x'.repeat(32);

/**
 * The console's sign-in: the account check the REST signature uses (the token the server keeps
 * sealed, compared in constant time; an unknown account answered like a wrong token), and the same
 * per-address refusal limit.
 */
export function createConsoleSignIn(deps: ConsoleSignInDeps): ConsoleSignIn {
  const refusals = createFailureWindow({ clock: deps.clock, windowMs: deps.refusalWindowMs, maxKeys: 100_000, blockAt: deps.maxRefusals });

  function verify(accountSid: string, authToken: string): ConsoleSession {
    const token = deps.identity.authTokenOf(accountSid);
    if (token === null) throw new MagpieError(ErrorCode.AUTH_TOKEN_UNAVAILABLE, 'this account has no checkable auth token: rotate it');
    // hashes of equal length: the comparison's time says nothing about the token's length
    const matches = constantTimeEqual(fingerprint(authToken), fingerprint(token ?? ABSENT_TOKEN));
    if (token === undefined || !matches) throw new MagpieError(ErrorCode.REST_AUTH_FAILED, 'the account SID or the auth token is wrong');
    return { accountSid, tokenFingerprint: fingerprint(token) };
  }

  return {
    check(accountSid, authToken, remoteAddress) {
      if (refusals.blocked(remoteAddress)) {
        throw new MagpieError(ErrorCode.REST_RATE_LIMITED, 'too many refused sign-ins from this address; wait and retry');
      }
      try {
        return verify(accountSid, authToken);
      } catch (error) {
        refusals.add(remoteAddress);
        deps.onRefused?.();
        throw error;
      }
    },
    stillValid(session) {
      const token = deps.identity.authTokenOf(session.accountSid);
      return typeof token === 'string' && constantTimeEqual(fingerprint(token), session.tokenFingerprint);
    },
  };
}
