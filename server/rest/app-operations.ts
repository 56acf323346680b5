import type { AppInfo, SubAccountCreated, SubAccountInfo, SubAccountSecrets } from '../identity/identity';
import type { AppChange } from './app-resources';
import { ownApp, ownSubAccount, type RestContext } from './rest-context';

/**
 * What the REST API and the developer console do to a main account's apps and sub-accounts. Each
 * operation checks first that the app (or sub-account) is `accountSid`'s, so neither API can
 * forget it; taking access away goes through AccessControl, as the admin CLI does.
 */

/**
 * Takes an app offline through AccessControl, like the admin CLI: a revocation row is written (so
 * every server process learns of it) and the app's live sessions end, not only new logins. The
 * reason is what this process's sessions are told (KICKED); other processes tell the default.
 */
function takeAppOffline(ctx: RestContext, appId: string, reason: string): void {
  ctx.access.setAppState(appId, 'offline', reason);
}

/** A new online app; with an idempotency key, the account's app of that key when there is one. */
export function createApp(ctx: RestContext, accountSid: string, name: string, idempotencyKey: string | undefined): AppInfo {
  return ctx.identity.createApp(accountSid, name, idempotencyKey);
}

/** Renames the app and/or puts it online or offline; the app as it is afterwards. */
export function changeApp(ctx: RestContext, accountSid: string, appId: string, change: AppChange): AppInfo {
  const app = ownApp(ctx, accountSid, appId);
  if (change.name !== undefined) ctx.identity.renameApp(app.appId, change.name);
  if (change.state === 'offline') takeAppOffline(ctx, app.appId, 'the app was taken offline');
  if (change.state === 'online') ctx.access.setAppState(app.appId, 'online');
  return ownApp(ctx, accountSid, app.appId);
}

/** Ends the app's sessions, then hides it for good. */
export function deleteApp(ctx: RestContext, accountSid: string, appId: string): void {
  const app = ownApp(ctx, accountSid, appId);
  takeAppOffline(ctx, app.appId, 'the app was deleted');
  ctx.identity.deleteApp(app.appId);
}

/** A new app token: the old one logs nobody in from now on. */
export function rotateAppToken(ctx: RestContext, accountSid: string, appId: string): AppInfo {
  return ctx.identity.rotateAppToken(ownApp(ctx, accountSid, appId).appId);
}

/** A page of the app's sub-accounts, or the one named `friendlyName` (an empty page when there is none). */
export function subAccountPage(
  ctx: RestContext,
  accountSid: string,
  appId: string,
  query: { offset: number; limit: number; friendlyName?: string | undefined },
): { total: number; items: SubAccountInfo[] } {
  const app = ownApp(ctx, accountSid, appId);
  if (query.friendlyName === undefined) return ctx.identity.listSubAccountsPage(app.appId, query.offset, query.limit);
  const sub = ctx.identity.findByFriendlyName(app.appId, query.friendlyName);
  return sub ? { total: 1, items: [sub] } : { total: 0, items: [] };
}

export function createSubAccount(ctx: RestContext, accountSid: string, appId: string, friendlyName: string): SubAccountCreated {
  return ctx.identity.createSubAccount(ownApp(ctx, accountSid, appId).appId, friendlyName);
}

/** Closes a sub-account through AccessControl: no login by any method, and its live sessions end everywhere. */
export function closeSubAccount(ctx: RestContext, accountSid: string, subAccountSid: string, appId?: string): SubAccountInfo {
  return ctx.access.closeSubAccount(ownSubAccount(ctx, accountSid, subAccountSid, appId).subAccountSid);
}

export function reopenSubAccount(ctx: RestContext, accountSid: string, subAccountSid: string, appId?: string): SubAccountInfo {
  return ctx.identity.reopenSubAccount(ownSubAccount(ctx, accountSid, subAccountSid, appId).subAccountSid);
}

/**
 * A new subToken and voipPwd for a sub-account whose create answer was lost: the old password
 * logs nobody in from now on, and its live sessions stay, as after a new app token (docs/rest.md).
 */
export function resetSubAccountSecrets(ctx: RestContext, accountSid: string, subAccountSid: string, appId: string): SubAccountSecrets {
  return ctx.identity.resetSubAccountSecrets(ownSubAccount(ctx, accountSid, subAccountSid, appId).subAccountSid);
}
