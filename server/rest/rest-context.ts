import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import { ErrorCode, MagpieError, type Clock } from '../../protocol';
import type { SessionRegistry } from '../gateway/sessions';
import type { AppInfo, Identity, SubAccountInfo } from '../identity/identity';
import type { UserStore } from '../identity/users';
import type { PushSettings } from '../push/push-settings';
import type { Tuning } from '../tuning';
import type { BroadcastJobs } from './broadcast';
import type { HistoryStore } from './history';
import type { ServiceCalls } from './service-calls';

/** What the REST routes share. */
export interface RestContext {
  readonly db: Database;
  readonly clock: Clock;
  readonly log: Logger;
  readonly tuning: Tuning;
  readonly identity: Identity;
  readonly users: UserStore;
  readonly sessions: SessionRegistry;
  readonly calls: ServiceCalls;
  readonly broadcasts: BroadcastJobs;
  readonly history: HistoryStore;
  readonly pushSettings: PushSettings;
}

/** The app, if it exists and belongs to the signed account. */
export function ownApp(ctx: RestContext, accountSid: string, appId: string): AppInfo {
  const app = ctx.identity.getApp(appId);
  if (!app) throw new MagpieError(ErrorCode.APP_NOT_FOUND, `no app ${appId}`);
  if (app.accountSid !== accountSid) throw new MagpieError(ErrorCode.REST_FORBIDDEN, `app ${appId} belongs to another account`);
  return app;
}

/** The sub-account, if it exists in an app of the signed account (and in `appId` when given). */
export function ownSubAccount(ctx: RestContext, accountSid: string, subAccountSid: string, appId?: string): SubAccountInfo {
  // the app named first: another account's app is refused before anything is looked up in it
  if (appId !== undefined) ownApp(ctx, accountSid, appId);
  const sub = ctx.identity.getSubAccount(subAccountSid);
  if (!sub) throw new MagpieError(ErrorCode.USER_NOT_FOUND, `no sub-account ${subAccountSid}`);
  ownApp(ctx, accountSid, sub.appId);
  if (appId !== undefined && appId !== sub.appId) throw new MagpieError(ErrorCode.REST_FORBIDDEN, `sub-account ${subAccountSid} is in another app`);
  return sub;
}

/** Takes an app offline: its live sessions end too, not only new logins. */
export function takeAppOffline(ctx: RestContext, appId: string, reason: string): void {
  ctx.identity.setAppState(appId, 'offline');
  ctx.sessions.endAppSessions(appId, ErrorCode.APP_OFFLINE, reason);
}

/** Closes a sub-account: no login by any method, and its live sessions end. */
export function closeSubAccount(ctx: RestContext, sub: SubAccountInfo): SubAccountInfo {
  const closed = ctx.identity.closeSubAccount(sub.subAccountSid);
  ctx.sessions.endUserSessions(sub.appId, sub.voipAccount, ErrorCode.SUB_ACCOUNT_CLOSED, 'the sub-account was closed');
  return closed;
}
