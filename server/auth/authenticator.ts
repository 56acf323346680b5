import { ErrorCode, MagpieError, pb, userIdProblem, type Clock } from '../../protocol';
import type { Identity, AppInfo } from '../identity/identity';
import { constantTimeEqual, verifySecret } from '../identity/secrets';
import type { UserStore } from '../identity/users';
import type { AccountLoginLimiter } from './account-login-limiter';
import type { LoginLimiter } from './login-limiter';
import { hmacLoginSignature, md5LoginSignature, parseCompactTimestamp } from './signature';

export interface LoggedIn {
  readonly appId: string;
  readonly userId: string;
  readonly nickname: string;
}

/** Checks a LOGIN body, one of three ways (DESIGN.md "Identity"). */
export interface Authenticator {
  login(body: pb.Login, remoteAddress: string): Promise<LoggedIn>;
}

export interface AuthenticatorDeps {
  readonly identity: Identity;
  readonly users: UserStore;
  /** Failed logins per address and account. */
  readonly limiter: LoginLimiter;
  /** Failed logins per account, from all addresses together. */
  readonly accountLimiter: AccountLoginLimiter;
  readonly clock: Clock;
  readonly signatureWindowMs: number;
  readonly md5TimestampUtcOffsetMinutes: number;
  /** The scrypt cost of stored password hashes, so the stand-in hash below costs the same. */
  readonly scryptCost: number;
}

export function createAuthenticator(deps: AuthenticatorDeps): Authenticator {
  const { identity, users, limiter, clock } = deps;
  // checked when the voip account is unknown, so an unknown account takes as long as a wrong password
  const DUMMY_HASH = ['scrypt', deps.scryptCost, 8, 1, Buffer.alloc(16).toString('base64'), Buffer.alloc(32).toString('base64')].join('$');

  async function byPassword(body: pb.Login): Promise<LoggedIn> {
    const sub = identity.findByVoipAccount(body.user);
    const matches = await verifySecret(body.secret, sub?.voipPwdHash ?? DUMMY_HASH);
    // an app id, when given, must be the sub-account's; a mismatch says no more than a wrong password
    if (!sub || !matches || (body.appId !== '' && body.appId !== sub.appId)) {
      throw new MagpieError(ErrorCode.WRONG_PASSWORD, 'wrong voip account or password');
    }
    if (sub.closed) throw new MagpieError(ErrorCode.SUB_ACCOUNT_CLOSED, `sub-account ${sub.voipAccount} is closed`);
    onlineApp(sub.appId);
    return { appId: sub.appId, userId: sub.voipAccount, nickname: nicknameOf(sub.appId, sub.voipAccount) };
  }

  function byAppToken(body: pb.Login): LoggedIn {
    const app = requireApp(body.appId);
    checkUserId(body.user);
    if (!constantTimeEqual(body.secret.toLowerCase(), app.appToken)) {
      throw new MagpieError(ErrorCode.TOKEN_AUTH_FAILED, 'the app token does not match');
    }
    return admit(app, body.user);
  }

  function bySignature(body: pb.Login): LoggedIn {
    const app = requireApp(body.appId);
    checkUserId(body.user);
    const md5 = body.signatureAlgorithm === pb.SignatureAlgorithm.MD5;
    const signedAt = md5
      ? parseCompactTimestamp(body.timestamp, deps.md5TimestampUtcOffsetMinutes)
      : /^\d{1,16}$/.test(body.timestamp)
        ? Number(body.timestamp)
        : undefined;
    if (signedAt === undefined) {
      throw new MagpieError(ErrorCode.TOKEN_AUTH_FAILED, md5 ? 'timestamp is not yyyyMMddHHmmss' : 'timestamp is not ms since epoch');
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
    return admit(app, body.user);
  }

  function admit(app: AppInfo, userId: string): LoggedIn {
    onlineApp(app.appId);
    // a closed sub-account stays closed whichever way it logs in (its voip account is its user id)
    const sub = identity.findByVoipAccount(userId);
    if (sub?.appId === app.appId && sub.closed) throw new MagpieError(ErrorCode.SUB_ACCOUNT_CLOSED, `sub-account ${userId} is closed`);
    users.ensureUser(app.appId, userId);
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

  async function attempt(body: pb.Login): Promise<LoggedIn> {
    switch (body.auth) {
      case pb.AuthType.PASSWORD:
        return byPassword(body);
      case pb.AuthType.APP_TOKEN:
        return byAppToken(body);
      case pb.AuthType.SIGNED:
        return bySignature(body);
      default:
        throw new MagpieError(ErrorCode.BAD_BODY, `unknown auth type ${String(body.auth)}`);
    }
  }

  return {
    async login(body, remoteAddress) {
      const key = `${remoteAddress}\u0000${body.appId}\u0000${body.user}`;
      limiter.check(key);
      // counted as failed before the slow check, so logins sent at once cannot all pass check()
      limiter.recordFailure(key);
      const perAccount = deps.accountLimiter.begin(`${body.appId}\u0000${body.user}`, remoteAddress);
      const result = await attempt(body);
      limiter.recordSuccess(key);
      perAccount.succeeded();
      return result;
    },
  };
}
