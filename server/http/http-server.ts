import { maxHeaderSize, STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyInstance, type FastifyPluginAsync, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { ErrorCode } from '../../protocol';
import { checkJsonDepth, checkUtf8Charset, checkWellFormedJson, prototypeKeyRefusal, utf8BodyText } from './body-depth';
import { pathOf } from './path-of';

/** One feature's routes, mounted on the shared listener (files, the REST API, health and metrics). */
export type HttpRoutes = ((app: FastifyInstance) => Promise<void>) | FastifyPluginAsync;

export interface HttpServerDeps {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly log: Logger;
  readonly routes: readonly HttpRoutes[];
  /** Largest body a route reads whole (uploads are streamed by their route and not bound by it). */
  readonly bodyLimitBytes?: number;
  /** How long close() lets requests in flight finish before it cuts every connection left. */
  readonly shutdownGraceMs?: number;
  /** Answers a request no route took (see UnroutedAnswer); by default `{"error":{"code","message"}}`. */
  readonly unrouted?: UnroutedAnswer;
}

/** Why no route took a request: the status, the stable code and what to fix. */
export interface Unrouted {
  readonly status: number;
  readonly code: number;
  readonly message: string;
}

/**
 * The answer to a request that reached no route: a URL that does not decode, a path segment
 * longer than MAX_PATH_PARAM_CHARS, a path or method no feature has. A feature whose paths answer
 * in a shape of their own (the REST API's classic paths) answers these in it too. The message never
 * quotes the URL: its query may hold a REST signature.
 */
export type UnroutedAnswer = (request: FastifyRequest, reply: FastifyReply, unrouted: Unrouted) => FastifyReply;

/** The longest path parameter the router takes (no id of the API comes near it). */
export const MAX_PATH_PARAM_CHARS = 100;

/** Why a path with a part over MAX_PATH_PARAM_CHARS names nothing. */
export const OVERLONG_PATH_PART = `no such path: a part of it is longer than ${MAX_PATH_PARAM_CHARS} characters, and no id is`;

/** Whether a path has a part the router does not take as a parameter (it then matches no route with one). */
export function hasOverlongPart(path: string): boolean {
  return path.split('/').some((part) => part.length > MAX_PATH_PARAM_CHARS);
}

const NOT_FOUND: Unrouted = { status: 404, code: ErrorCode.REST_NOT_FOUND, message: 'no such path' };

function frameworkRefusal(error: { code?: string }): Unrouted {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return { status: 404, code: ErrorCode.REST_NOT_FOUND, message: OVERLONG_PATH_PART };
  return {
    status: 400,
    code: ErrorCode.REST_BAD_REQUEST,
    message: 'the path does not decode: a % not followed by two hex digits, or bytes that are not UTF-8',
  };
}

/**
 * The answer to bytes that are not an HTTP request Node can read (a broken request line or
 * chunk, headers over Node's maxHeaderSize, a request not sent in time): the REST API's error body
 * with its code, where Fastify's own has none. Nothing routed it, so it has no path's shape.
 */
function answerClientError(error: Error & { code?: string; reason?: string }, socket: Socket): void {
  // a connection reset: nobody to answer
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  let status = 400;
  let message = `the request is not HTTP the server can read${typeof error.reason === 'string' ? `: ${error.reason}` : ''}`;
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    message = `the request's headers, with its URL, are larger than the server takes (${maxHeaderSize} bytes)`;
  } else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    message = 'the request was not sent in time';
  }
  const body = JSON.stringify({ error: { code: ErrorCode.REST_BAD_REQUEST, message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nContent-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/** The default answer: the REST API's error body. */
const answerJson: UnroutedAnswer = (_request, reply, unrouted) =>
  reply.code(unrouted.status).type('application/json; charset=utf-8').send(JSON.stringify({ error: { code: unrouted.code, message: unrouted.message } }));

export interface HttpServer {
  /** Starts listening; resolves with the port. */
  listen(): Promise<number>;
  close(): Promise<void>;
}

/** How long the server reads and drops the rest of a body it refused as too large before it cuts the connection. */
export const BODY_LINGER_MS = 30_000;

function lingerForBody(raw: IncomingMessage, reply: FastifyReply): void {
  reply.removeHeader('connection');
  const cut = setTimeout(() => raw.socket.destroy(), BODY_LINGER_MS);
  cut.unref();
  raw.once('end', () => clearTimeout(cut));
  raw.once('close', () => clearTimeout(cut));
}

/**
 * The server's HTTP listener, beside the TCP gateway in the same process: a composition point
 * where each feature registers its routes as a Fastify plugin.
 */
export function createHttpServer(deps: HttpServerDeps): HttpServer {
  const unrouted = deps.unrouted ?? answerJson;
  const app = Fastify({
    // one line per request would drown the log: only warnings and errors from the HTTP side
    // no secret reaches the log even if a request is logged whole: cookies, signatures, bodies
    loggerInstance: deps.log.child(
      { part: 'http' },
      {
        level: 'warn',
        redact: ['req.headers.cookie', 'req.headers.authorization', 'req.body', 'res.headers["set-cookie"]'],
        // a request is logged by its path: its query may hold a REST signature (sig=)
        serializers: { req: (req: { method?: string; url?: string }) => ({ method: req.method, url: pathOf(req.url ?? '') }) },
      },
    ),
    // the body of an upload is streamed to disk by its route, never buffered here
    bodyLimit: deps.bodyLimitBytes ?? 1024 * 1024,
    routerOptions: { maxParamLength: MAX_PATH_PARAM_CHARS },
    // a URL the router cannot take: Fastify's own answer would quote the URL, query and all
    clientErrorHandler: answerClientError,
    frameworkErrors: (error, request, reply) => {
      void unrouted(request, reply, frameworkRefusal(error as { code?: string }));
    },
  });
  // a path no feature has, or a method no route takes (Fastify's `all` leaves out PROPFIND and the like)
  app.setNotFoundHandler((request, reply) => unrouted(request, reply, NOT_FOUND));
  // JSON bodies go through Fastify's own parser once their nesting is known to be bounded
  // (body-depth.ts): every scope below inherits it, the REST API's and the console's
  // the default parser takes a callback (its type also allows a promise, which it never returns)
  const parseJson = app.getDefaultJsonParser('error', 'error') as (request: unknown, body: string, done: (error: Error | null, body?: unknown) => void) => void;
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      checkUtf8Charset(request.headers['content-type']);
      text = utf8BodyText(body as Buffer);
      checkJsonDepth(text);
    } catch (error) {
      done(error as Error, undefined);
      return;
    }
    parseJson(request, text, (error, parsed) => {
      if (error) return done(prototypeKeyRefusal(text) ?? error, undefined);
      try {
        checkWellFormedJson(parsed);
      } catch (refusal) {
        return done(refusal as Error, undefined);
      }
      done(null, parsed);
    });
  });
  // A body refused as too large (413) before it was read: Fastify would close the connection as
  // soon as the answer is written, while the client is still sending, and the client's write then
  // fails (EPIPE, a reset) before it reads the 413 that says what to fix. The rest of the body is
  // read and dropped instead (Node does so once the answer ends), for at most BODY_LINGER_MS.
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode === 413 && !request.raw.complete) lingerForBody(request.raw, reply);
    return payload;
  });
  for (const routes of deps.routes) void app.register(routes);
  return {
    async listen() {
      await app.listen({ host: deps.host, port: deps.port });
      const address = app.server.address();
      if (address === null || typeof address === 'string') throw new Error('the HTTP listener has no port');
      return address.port;
    },
    async close() {
      // Node closes idle keep-alive sockets at once, but not one that has sent no request yet (a
      // browser opens one ahead of its next request; any client may hold one silent): close() would
      // wait for its peer for minutes. Requests in flight get the grace, then every socket is cut.
      const cut = setTimeout(() => app.server.closeAllConnections(), deps.shutdownGraceMs ?? 3_000);
      try {
        await app.close();
      } finally {
        clearTimeout(cut);
      }
    },
  };
}
