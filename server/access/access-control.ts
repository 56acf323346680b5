import type { SqlDatabase } from '../storage/sql-database';
import { ErrorCode, type Clock } from '../../protocol';
import type { SessionControl } from '../handler-types';
import type { AppInfo, AppState, Identity, SubAccountInfo } from '../identity/identity';
import { createRevocationLog, type Revocation } from './revocation-log';

/**
 * The one place where access is taken away: the admin CLI calls it, and so will the REST layer.
 * Each change is stored together with a revocation row (so a server in another process learns of
 * it, see revocation-watcher.ts), and the sessions it no longer allows end at once when this
 * process has them: each gets KICKED with the reason's code and is closed.
 */
export interface AccessControl {
  /** Closes a sub-account: no login by any method, and its live sessions end (SUB_ACCOUNT_CLOSED). */
  closeSubAccount(subAccountSid: string): SubAccountInfo;
  /** Switches an app on or off; off ends every session of the app (APP_OFFLINE, with the reason given or the default). */
  setAppState(appId: string, state: AppState, reason?: string): AppInfo;
  /**
   * Ends the sessions that a revocation (seen in the table, written by another process) no longer
   * allows, judged by the state now: an app switched back online keeps its sessions.
   */
  enforce(revocation: Pick<Revocation, 'appId' | 'userId'>): number;
  /**
   * Why the user may no longer use the app (an app offline or deleted, a closed sub-account), or
   * undefined when it still may: what a credential issued before the change (a media token) is
   * checked against at each use, as no login stands behind it. Two point lookups.
   */
  refusalOf(appId: string, userId: string): string | undefined;
}

export interface AccessControlDeps {
  readonly db: SqlDatabase;
  readonly clock: Clock;
  readonly identity: Identity;
  /** The live sessions of this process; the admin CLI has none. */
  readonly sessions: SessionControl;
}

export const SUB_ACCOUNT_CLOSED_REASON = 'your account was closed by the administrator';
export const APP_OFFLINE_REASON = 'the app was taken offline by its administrator';

/** For a process without sessions (the admin CLI): the watching server ends them. */
export const NO_SESSIONS: SessionControl = { endUserSessions: () => 0, endAppSessions: () => 0 };

export function createAccessControl(deps: AccessControlDeps): AccessControl {
  const { db, clock, identity, sessions } = deps;
  const log = createRevocationLog(db);
  const userClosed = db.prepare<[string, string], number>(
    'SELECT closed FROM sub_accounts WHERE app_id = ? AND voip_account = ?',
  ).pluck();
  const appState = db.prepare<[string], string>('SELECT state FROM apps WHERE app_id = ? AND deleted_ms IS NULL').pluck();

  function endApp(appId: string, reason = APP_OFFLINE_REASON): number {
    return sessions.endAppSessions(appId, ErrorCode.APP_OFFLINE, reason);
  }

  function endUser(appId: string, userId: string): number {
    return sessions.endUserSessions(appId, userId, ErrorCode.SUB_ACCOUNT_CLOSED, SUB_ACCOUNT_CLOSED_REASON);
  }

  return {
    closeSubAccount(subAccountSid) {
      const closed = db.transaction(() => {
        const info = identity.closeSubAccount(subAccountSid);
        log.record(info.appId, info.voipAccount, clock.now());
        return info;
      })();
      endUser(closed.appId, closed.voipAccount);
      return closed;
    },
    setAppState(appId, state, reason) {
      const app = db.transaction(() => {
        const changed = identity.setAppState(appId, state);
        if (state === 'offline') log.record(appId, undefined, clock.now());
        return changed;
      })();
      if (state === 'offline') endApp(appId, reason);
      return app;
    },
    enforce({ appId, userId }) {
      if (identity.getApp(appId)?.state !== 'online') return endApp(appId);
      if (userId !== undefined && userClosed.get(appId, userId) === 1) return endUser(appId, userId);
      return 0;
    },
    refusalOf(appId, userId) {
      if (appState.get(appId) !== 'online') return 'the app is offline';
      // a user of the app token or a signature has no sub-account: only its app can be closed
      if (Number(userClosed.get(appId, userId) ?? 0) !== 0) return 'the account was closed';
      return undefined;
    },
  };
}
