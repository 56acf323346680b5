import fastifyCookie from '@fastify/cookie';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { ErrorCode, MagpieError } from '../../protocol';
import type { RestContext } from '../rest/rest-context';
import { restErrorOf } from '../rest/rest-errors';
import { createAppStats } from './app-stats';
import type { ConsoleContext } from './console-context';
import { checkSameOrigin, createConsoleGuard } from './console-guard';
import { addSecurityHeaders, registerConsolePage } from './console-page';
import { registerConsoleAppRoutes } from './console-routes-apps';
import { registerConsoleSessionRoutes } from './console-routes-session';
import { registerConsoleSubAccountRoutes } from './console-routes-subaccounts';
import { createConsoleSessions } from './console-sessions';
import { createConsoleSignIn } from './console-sign-in';
import { createTestPushLimit } from './test-push-limit';

export interface ConsolePluginDeps {
  /** The REST API's context: the console acts through the same services and ownership checks. */
  readonly rest: RestContext;
  /** The built console (index.html and assets/). */
  readonly assetsDir: string;
  /** Told of each refused sign-in (the REST refusal metric). */
  readonly onRefused?: () => void;
}

/** Routes that need no session: signing in and out, and asking whether one is signed in. */
const PUBLIC = new Set(['POST /console/api/session', 'GET /console/api/session', 'DELETE /console/api/session']);

/**
 * The developer console (docs/console.md): the page under /console/ and its JSON API under
 * /console/api/, authorized by an HttpOnly session cookie, writes only from the page's own origin.
 */
export function createConsolePlugin(deps: ConsolePluginDeps): FastifyPluginAsync {
  const { rest } = deps;
  return async (app) => {
    const sessions = createConsoleSessions({
      clock: rest.clock,
      idleMs: rest.tuning.consoleSessionIdleMs,
      maxSessions: rest.tuning.maxConsoleSessions,
      maxPerAccount: rest.tuning.maxConsoleSessionsPerAccount,
    });
    const signIn = createConsoleSignIn({
      identity: rest.identity,
      clock: rest.clock,
      maxRefusals: rest.tuning.restMaxRefusals,
      refusalWindowMs: rest.tuning.restRefusalWindowMs,
      ...(deps.onRefused ? { onRefused: deps.onRefused } : {}),
    });
    const ctx: ConsoleContext = {
      rest,
      sessions,
      signIn,
      guard: createConsoleGuard({ sessions, signIn, idleMs: rest.tuning.consoleSessionIdleMs }),
      stats: createAppStats({ db: rest.db, sessions: rest.sessions }),
      testPushLimit: createTestPushLimit({ clock: rest.clock, intervalMs: rest.tuning.consoleTestPushIntervalMs }),
    };
    await app.register(fastifyCookie);
    app.addHook('onRequest', async (request, reply) => {
      addSecurityHeaders(reply, request.url.startsWith('/console/assets/'));
    });
    await registerConsolePage(app, deps.assetsDir);

    await app.register(async (api) => {
      // JSON only: a text/plain body would reach the schema as a string (a 400, not the 415 it is)
      api.removeContentTypeParser('text/plain');
      api.setValidatorCompiler(validatorCompiler);
      api.setSerializerCompiler(serializerCompiler);
      api.setErrorHandler(apiErrorHandler(rest));
      api.addHook('onRequest', async (request) => {
        checkSameOrigin(request);
        if (!PUBLIC.has(`${request.method} ${request.routeOptions.url ?? ''}`)) ctx.guard.sessionOf(request);
      });
      registerConsoleSessionRoutes(api, ctx);
      registerConsoleAppRoutes(api, ctx);
      registerConsoleSubAccountRoutes(api, ctx);
      api.all('/console/api/*', () => {
        throw new MagpieError(ErrorCode.REST_NOT_FOUND, 'no such console path');
      });
    });
  };
}

/**
 * JSON errors with the REST codes. Nothing of the request is logged but its route: the sign-in
 * body holds the auth token, and the cookie is a session.
 */
function apiErrorHandler(rest: RestContext) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const refused = restErrorOf(error);
    if (refused.status >= 500) rest.log.error({ err: error, route: request.routeOptions.url, method: request.method }, 'console request failed');
    return reply.code(refused.status).type('application/json; charset=utf-8').send(JSON.stringify({ error: { code: refused.code, message: refused.message } }));
  };
}
