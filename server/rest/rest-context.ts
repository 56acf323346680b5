import type { SqlDatabase } from '../storage/sql-database';
import type { Logger } from 'pino';
import { ErrorCode, MagpieError, SYSTEM_USER_ID, type Clock } from '../../protocol';
import type { AccessControl } from '../access/access-control';
import type { FileService } from '../files';
import type { SessionRegistry } from '../gateway/sessions';
import type { AppInfo, Identity, SubAccountInfo } from '../identity/identity';
import type { UserStore } from '../identity/users';
import type { PushSettings } from '../push/push-settings';
import type { Tuning } from '../tuning';
import type { BroadcastJobs } from './broadcast';
import type { HistoryStore } from './history';
import type { UploadSizeOf } from './message-input';
import type { ServiceCalls } from './service-calls';

/** What the REST routes share. */
export interface RestContext {
  readonly db: SqlDatabase;
  readonly clock: Clock;
  readonly log: Logger;
  readonly tuning: Tuning;
  readonly identity: Identity;
  readonly users: UserStore;
  readonly sessions: SessionRegistry;
  /** Where access is taken away, as the admin CLI does it: a revocation row, and live sessions end. */
  readonly access: AccessControl;
  readonly calls: ServiceCalls;
  /** The file service the clients' uploads use; absent: media messages are refused (MEDIA_UNAVAILABLE). */
  readonly files: Pick<FileService, 'ingest' | 'records'> | undefined;
  readonly broadcasts: BroadcastJobs;
  readonly history: HistoryStore;
  readonly pushSettings: PushSettings;
}

/** The sender of messages (and owner of uploads) an app sends as itself (no `from`). */
export const SYSTEM_SENDER = SYSTEM_USER_ID;

/**
 * Refuses a REST call that acts as `userId` when it is a closed sub-account of the app
 * (SUB_ACCOUNT_CLOSED, 403), what its own login is answered (server/auth/authenticator.ts): a
 * closed account acts in nothing. `refused` says what it may not do ("nothing can be sent as it").
 */
export function refuseClosedActor(ctx: RestContext, appId: string, userId: string, refused: string): void {
  const sub = ctx.identity.findByVoipAccount(userId);
  if (sub?.appId === appId && sub.closed) {
    throw new MagpieError(ErrorCode.SUB_ACCOUNT_CLOSED, `sub-account ${userId} is closed: ${refused} (reopen it first)`);
  }
}

/** `from`, or the app's system sender (made a user the first time); a closed sub-account is refused (SUB_ACCOUNT_CLOSED, 403). */
export function restSender(ctx: RestContext, appId: string, from: string | undefined): string {
  if (from !== undefined) {
    refuseClosedActor(ctx, appId, from, 'nothing can be sent as it');
    return from;
  }
  ctx.users.ensureUser(appId, SYSTEM_SENDER, 'System');
  return SYSTEM_SENDER;
}

/** The app, if it exists and belongs to the signed account. */
export function ownApp(ctx: RestContext, accountSid: string, appId: string): AppInfo {
  const app = ctx.identity.getApp(appId);
  if (!app) throw new MagpieError(ErrorCode.APP_NOT_FOUND, `no app ${appId}`);
  if (app.accountSid !== accountSid) throw new MagpieError(ErrorCode.REST_FORBIDDEN, `app ${appId} belongs to another account`);
  return app;
}

/**
 * Refuses what would reach the users of an app taken offline (APP_OFFLINE, 403), the code its
 * users' logins get: nothing sent or changed there reaches anyone who can log in. The REST routes
 * that reach users call it through one guard (route-kinds.ts); a broadcast already under way
 * checks its app before each chunk instead (broadcast.ts).
 */
export function refuseOfflineApp(app: Pick<AppInfo, 'appId' | 'state'>): void {
  if (app.state !== 'online') {
    throw new MagpieError(ErrorCode.APP_OFFLINE, `app ${app.appId} is offline: nothing can be sent or changed for its users (take it online first: POST .../apps/${app.appId}/online)`);
  }
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

/** How REST sends look up the sender's upload (see UploadSizeOf); undefined without a file service. */
export function uploadSizeOf(files: RestContext['files'], appId: string, owner: string): UploadSizeOf | undefined {
  if (files === undefined) return undefined;
  return (fileId) => {
    const upload = files.records.get(fileId);
    // the same answer SEND gives: someone else's upload and none at all look alike
    if (upload === undefined || upload.appId !== appId || upload.owner !== owner || upload.completedMs === null) {
      throw new MagpieError(ErrorCode.UPLOAD_NOT_FOUND, `${fileId} is no finished upload of ${owner}`);
    }
    return upload.declaredSize;
  };
}
