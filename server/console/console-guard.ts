import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorCode, MagpieError } from '../../protocol';
import type { ConsoleSession, ConsoleSessions } from './console-sessions';
import type { ConsoleSignIn } from './console-sign-in';

/** The cookie holding the random session id; scoped to the console's own paths. */
export const CONSOLE_COOKIE = 'magpie_console';
export const CONSOLE_PATH = '/console';
/** Every console write carries this header: a cross-site form cannot, and a cross-site fetch needs a preflight nobody answers. */
export const CSRF_HEADER = 'x-magpie-console';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A write must come from the console's own page: the CSRF header, and when the browser tells the
 * origin (Origin, Sec-Fetch-Site), the same host as the request was sent to.
 */
export function checkSameOrigin(request: FastifyRequest): void {
  if (!WRITES.has(request.method)) return;
  const refuse = (why: string) => new MagpieError(ErrorCode.REST_FORBIDDEN, `refused a console write ${why}`);
  if (request.headers[CSRF_HEADER] !== '1') throw refuse(`without the ${CSRF_HEADER} header`);
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') throw refuse(`from another site (${String(site)})`);
  const origin = request.headers.origin;
  if (origin === undefined) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw refuse('with an unreadable Origin');
  }
  if (host !== request.headers.host) throw refuse('from another origin');
}

export interface ConsoleGuard {
  /** The signed-in session of the request's cookie; throws REST_AUTH_FAILED without one. */
  sessionOf(request: FastifyRequest): ConsoleSession;
  /** The main account the request acts as: its session's. */
  accountOf(request: FastifyRequest): string;
  /** The same session, or undefined when nobody is signed in (no cookie, an ended session, a rotated token). */
  signedIn(request: FastifyRequest): ConsoleSession | undefined;
  /** Sets the session cookie on a successful sign-in. */
  setCookie(request: FastifyRequest, reply: FastifyReply, id: string): void;
  clearCookie(reply: FastifyReply): void;
}

export function createConsoleGuard(deps: { sessions: ConsoleSessions; signIn: ConsoleSignIn; idleMs: number }): ConsoleGuard {
  /** The request's session, or why it has none. */
  const lookUp = (request: FastifyRequest): ConsoleSession | string => {
    const id = request.cookies[CONSOLE_COOKIE];
    const session = id === undefined ? undefined : deps.sessions.find(id);
    if (id === undefined || session === undefined) return 'sign in to the console first';
    if (!deps.signIn.stillValid(session)) {
      deps.sessions.close(id);
      return 'the auth token changed: sign in again';
    }
    return session;
  };
  const sessionOf = (request: FastifyRequest): ConsoleSession => {
    const found = lookUp(request);
    if (typeof found === 'string') throw new MagpieError(ErrorCode.REST_AUTH_FAILED, found);
    return found;
  };
  return {
    sessionOf,
    accountOf: (request) => sessionOf(request).accountSid,
    signedIn(request) {
      const found = lookUp(request);
      return typeof found === 'string' ? undefined : found;
    },
    setCookie(request, reply, id) {
      reply.setCookie(CONSOLE_COOKIE, id, {
        path: CONSOLE_PATH,
        httpOnly: true,
        sameSite: 'strict',
        // Secure only over TLS: a plain-HTTP loopback console could not keep it otherwise
        secure: request.protocol === 'https',
        maxAge: Math.floor(deps.idleMs / 1000),
      });
    },
    clearCookie(reply) {
      reply.clearCookie(CONSOLE_COOKIE, { path: CONSOLE_PATH, httpOnly: true, sameSite: 'strict' });
    },
  };
}
