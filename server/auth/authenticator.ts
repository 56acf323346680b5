import { ErrorCode, MagpieError, pb, serverSignature, userIdProblem, verifyClientProof, type Clock } from '../../protocol';
import type { Identity, AppInfo } from '../identity/identity';
import { constantTimeEqual } from '../identity/secrets';
import type { UserStore } from '../identity/users';
import type { AccountLoginLimiter } from './account-login-limiter';
import type { LoginLimiter } from './login-limiter';
import { createPasswordChallenges, type PasswordChallenge } from './password-challenge';
import { hmacLoginSignature, md5LoginSignature, parseCompactTimestamp, parseMsTimestamp } from './signature';

export interface LoggedIn {
  readonly appId: string;
  readonly userId: string;
  readonly nickname: string;
  /** Password logins: the server's signature, LOGIN_RESULT.server_signature. */
  readonly serverSignature?: Uint8Array;
}

/**
 * Checks logins, one of three ways (DESIGN.md "Identity"). Nothing here is slow: a password is
 * proven with a few HMACs (the client ran the scrypt), so a flood of logins costs the server little
 * and the limits below bound what a guesser gets.
 */
export interface Authenticator {
  /** AUTH_START: the first half of a password login. */
  challenge(body: pb.AuthStart): PasswordChallenge;
  /** LOGIN; a password login needs the connection's challenge from AUTH_START. */
  login(body: pb.Login, remoteAddress: string, challenge?: PasswordChallenge): LoggedIn;
}

export interface AuthenticatorDeps {
  readonly identity: Identity;
  readonly users: UserStore;
  /** Failed logins of every kind per remote address, whatever app and user they name. */
  readonly addressLimiter: LoginLimiter;
  /** Wrong passwords per remote address and existing sub-account. */
  readonly limiter: LoginLimiter;
  /** Wrong passwords per existing sub-account, from all addresses together. */
  readonly accountLimiter: AccountLoginLimiter;
  readonly clock: Clock;
  readonly signatureWindowMs: number;
  readonly md5TimestampUtcOffsetMinutes: number;
  /** The scrypt cost of new passwords, which an unknown account's stand-in challenge shows. */
  readonly scryptCost: number;
  /** A server secret for the unknown accounts' stand-in salts. */
  readonly fakeSaltKey: Buffer;
}

export function createAuthenticator(deps: AuthenticatorDeps): Authenticator {
  const { identity, users, clock, addressLimiter, limiter, accountLimiter } = deps;
  const challenges = createPasswordChallenges({ identity, fakeSaltKey: deps.fakeSaltKey, scryptCost: deps.scryptCost });

  function accountKey(appId: string, userId: string): string {
    return `${appId}\u0000${userId}`;
  }

  function byPassword(body: pb.Login, address: string, challenge: PasswordChallenge | undefined): LoggedIn {
    if (!challenge) throw new MagpieError(ErrorCode.UNEXPECTED_FRAME, 'a password LOGIN must follow AUTH_START and its AUTH_CHALLENGE');
    const sub = challenge.sub;
    const wrong = new MagpieError(ErrorCode.WRONG_PASSWORD, 'wrong voip account or password');
    // only attempts against an account that exists are counted per account: junk counts per address
    const account = sub && accountKey(sub.appId, sub.voipAccount);
    const pairKey = account && `${address}\u0000${account}`;
    if (pairKey) limiter.check(pairKey);
    if (account) accountLimiter.check(account, address);
    const matches =
      body.user === challenge.user &&
      body.appId === challenge.appId &&
      verifyClientProof(challenge.verifier.storedKey, challenge.message, body.clientProof);
    // an app id, when given, must be the sub-account's; a mismatch says no more than a wrong password
    if (!sub || !matches || (body.appId !== '' && body.appId !== sub.appId)) {
      if (pairKey) limiter.recordFailure(pairKey);
      if (account) accountLimiter.failed(account);
      throw wrong;
    }
    if (pairKey) limiter.recordSuccess(pairKey);
    if (sub.closed) throw new MagpieError(ErrorCode.SUB_ACCOUNT_CLOSED, `sub-account ${sub.voipAccount} is closed`);
    onlineApp(sub.appId);
    accountLimiter.succeeded(account!, address);
    return {
      appId: sub.appId,
      userId: sub.voipAccount,
      nickname: nicknameOf(sub.appId, sub.voipAccount),
      serverSignature: serverSignature(challenge.verifier.serverKey, challenge.message),
    };
  }

  function byAppToken(body: pb.Login, address: string): LoggedIn {
    const app = requireApp(body.appId);
    checkUserId(body.user);
    if (!constantTimeEqual(body.secret.toLowerCase(), app.appToken)) {
      throw new MagpieError(ErrorCode.TOKEN_AUTH_FAILED, 'the app token does not match');
    }
    return admit(app, body.user, address);
  }

  function bySignature(body: pb.Login, address: string): LoggedIn {
    const app = requireApp(body.appId);
    checkUserId(body.user);
    const md5 = body.signatureAlgorithm === pb.SignatureAlgorithm.MD5;
    // only the canonical form: a leading zero would let the digits move between user id and time
    const signedAt = md5 ? parseCompactTimestamp(body.timestamp, deps.md5TimestampUtcOffsetMinutes) : parseMsTimestamp(body.timestamp);
    if (signedAt === undefined) {
      throw new MagpieError(
        ErrorCode.TOKEN_AUTH_FAILED,
        md5 ? 'timestamp is not yyyyMMddHHmmss' : 'timestamp is not ms since epoch in decimal without leading zeros',
      );
    }
    const expected = md5
      ? md5LoginSignature(app.appId, body.user, body.timestamp, app.appToken)
      : hmacLoginSignature(app.appId, body.user, body.timestamp, app.appToken);
    if (!constantTimeEqual(body.secret.toLowerCase(), expected.toLowerCase())) {
      throw new MagpieError(ErrorCode.TOKEN_AUTH_FAILED, 'the signature does not match');
    }
    // checked after the signature, so only the app's own server learns that its clock is off
    if (Math.abs(clock.now() - signedAt) > deps.signatureWindowMs) {
      throw new MagpieError(ErrorCode.SIGNATURE_EXPIRED, `the signature's timestamp is more than ${deps.signatureWindowMs} ms away`);
    }
    return admit(app, body.user, address);
  }

  /** App token and signature: the app vouches for the user, which also ends a password lock on it. */
  function admit(app: AppInfo, userId: string, address: string): LoggedIn {
    onlineApp(app.appId);
    // a closed sub-account's id must not come back in through the app token or a signature
    const sub = identity.findByVoipAccount(userId);
    if (sub?.appId === app.appId && sub.closed) throw new MagpieError(ErrorCode.SUB_ACCOUNT_CLOSED, `sub-account ${userId} is closed`);
    users.ensureUser(app.appId, userId);
    accountLimiter.succeeded(accountKey(app.appId, userId), address);
    return { appId: app.appId, userId, nickname: nicknameOf(app.appId, userId) };
  }

  function requireApp(appId: string): AppInfo {
    const app = identity.getApp(appId);
    if (!app) throw new MagpieError(ErrorCode.APP_NOT_FOUND, `no app ${appId}`);
    return app;
  }

  function onlineApp(appId: string): void {
    if (requireApp(appId).state !== 'online') throw new MagpieError(ErrorCode.APP_OFFLINE, `app ${appId} is offline`);
  }

  function checkUserId(userId: string): void {
    const problem = userIdProblem(userId);
    if (problem) throw new MagpieError(ErrorCode.INVALID_USER_ID, problem);
  }

  function nicknameOf(appId: string, userId: string): string {
    return users.getUser(appId, userId)?.nickname ?? '';
  }

  function attempt(body: pb.Login, address: string, challenge: PasswordChallenge | undefined): LoggedIn {
    switch (body.auth) {
      case pb.AuthType.PASSWORD:
        return byPassword(body, address, challenge);
      case pb.AuthType.APP_TOKEN:
        return byAppToken(body, address);
      case pb.AuthType.SIGNED:
        return bySignature(body, address);
      default:
        throw new MagpieError(ErrorCode.BAD_BODY, `unknown auth type ${String(body.auth)}`);
    }
  }

  /** Refusals that say nothing about a secret, so they do not count as guesses. */
  const NOT_GUESSES: ReadonlySet<number> = new Set([ErrorCode.TOO_MANY_LOGIN_ATTEMPTS, ErrorCode.SUB_ACCOUNT_CLOSED, ErrorCode.APP_OFFLINE]);

  return {
    challenge: (body) => challenges.start(body),
    login(body, remoteAddress, challenge) {
      addressLimiter.check(remoteAddress);
      try {
        return attempt(body, remoteAddress, challenge);
      } catch (error) {
        // every other failure counts against the address, whatever app or user it named
        if (!(error instanceof MagpieError) || !NOT_GUESSES.has(error.code)) addressLimiter.recordFailure(remoteAddress);
        throw error;
      }
    },
  };
}
