import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { ownApp, refuseOfflineApp, type RestContext } from './rest-context';

/**
 * What a signed REST route does, which decides whether it answers in an app taken offline
 * (docs/rest.md "An app taken offline"):
 * - `read`: reads and changes nothing (history, a group's info, presence): always answered, so
 *   the developer can inspect and export what an offline app holds;
 * - `manage`: the developer's own management of the app and its accounts (its state, name,
 *   tokens, push settings, sub-accounts): always answered, or the app could never be brought
 *   back, nor a leaked secret rotated, nor an account closed while it is offline;
 * - `reach-users`: makes something happen for the app's users (a message, a broadcast, an upload
 *   to send, a group made or changed, each telling its members): refused with APP_OFFLINE (403)
 *   while the app is offline, the code its users' logins get.
 */
export type RestRouteKind = 'read' | 'manage' | 'reach-users';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Every signed REST route says what it does: requireRouteKinds() refuses to register one that does not. */
    restKind?: RestRouteKind;
  }
}

export const READS = { restKind: 'read' } as const;
export const MANAGES = { restKind: 'manage' } as const;
export const REACHES_USERS = { restKind: 'reach-users' } as const;

/**
 * Makes the routes of `scope` declare their kind: a signed route (its path names the account)
 * without one, or a `reach-users` route whose path names no app, fails the server's start, so a
 * new route cannot slip past the offline guard by being forgotten.
 */
export function requireRouteKinds(scope: FastifyInstance): void {
  scope.addHook('onRoute', (route: RouteOptions & { path?: string }) => {
    const path = route.path ?? route.url;
    if (!path.includes(':accountSid')) return;
    const kind = (route.config as { restKind?: RestRouteKind } | undefined)?.restKind;
    if (kind === undefined) throw new Error(`REST route ${String(route.method)} ${path} says nothing of what it does: give it config READS, MANAGES or REACHES_USERS`);
    if (kind === 'reach-users' && !path.includes(':appId')) throw new Error(`REST route ${String(route.method)} ${path} reaches an app's users: its path must name the app (:appId)`);
  });
}

/**
 * The one check of every `reach-users` route, run once the request is signed and valid: the app
 * must be the signer's (404 or 403 first, as the handler would answer) and online (403 APP_OFFLINE).
 */
export function guardOfflineApps(ctx: RestContext) {
  return async (request: FastifyRequest): Promise<void> => {
    if (request.routeOptions.config.restKind !== 'reach-users') return;
    const { accountSid, appId } = request.params as { accountSid: string; appId: string };
    refuseOfflineApp(ownApp(ctx, accountSid, appId));
  };
}
