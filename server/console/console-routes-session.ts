import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { CONSOLE_COOKIE } from './console-guard';
import type { ConsoleContext } from './console-context';

const whoAmI = z.object({ accountSid: z.string() });
/** Nobody signed in is an ordinary answer here, not a 401: the page asks this at every load. */
const sessionState = z.discriminatedUnion('signedIn', [whoAmI.extend({ signedIn: z.literal(true) }), z.object({ signedIn: z.literal(false) })]);

/** Sign in (sid and token in the body, never the URL), who is signed in (if anyone), sign out. */
export function registerConsoleSessionRoutes(root: FastifyInstance, ctx: ConsoleContext): void {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const path = '/console/api/session';

  app.post(
    path,
    {
      schema: {
        body: z.object({ accountSid: z.string().min(1).max(64), authToken: z.string().min(1).max(128) }).strict(),
        response: { 200: whoAmI },
      },
    },
    (request, reply) => {
      const session = ctx.signIn.check(request.body.accountSid, request.body.authToken, request.ip);
      // a browser holds one session: the one it signed in with before ends here
      const previous = request.cookies[CONSOLE_COOKIE];
      if (previous !== undefined) ctx.sessions.close(previous);
      ctx.guard.setCookie(request, reply, ctx.sessions.open(session));
      return { accountSid: session.accountSid };
    },
  );

  app.get(path, { schema: { response: { 200: sessionState } } }, (request, reply) => {
    const session = ctx.guard.signedIn(request);
    if (session) return { signedIn: true as const, accountSid: session.accountSid };
    // a cookie of a session that ended is of no more use: the browser may drop it
    if (request.cookies[CONSOLE_COOKIE] !== undefined) ctx.guard.clearCookie(reply);
    return { signedIn: false as const };
  });

  app.delete(path, { schema: { response: { 200: z.object({ signedOut: z.literal(true) }) } } }, (request, reply) => {
    const id = request.cookies[CONSOLE_COOKIE];
    if (id !== undefined) ctx.sessions.close(id);
    ctx.guard.clearCookie(reply);
    return { signedOut: true as const };
  });
}
