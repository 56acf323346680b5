import swagger from '@fastify/swagger';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { ErrorCode, MagpieError } from '../../protocol';
import { checkUtf8Charset, utf8BodyText } from '../http/body-depth';
import { hasOverlongPart, OVERLONG_PATH_PART, type UnroutedAnswer } from '../http/http-server';
import { pathOf } from '../http/path-of';
import { parseClassicXml, sendClassic } from './classic-format';
import { RestRateLimited, type RestAuth } from './rest-auth';
import type { RestContext } from './rest-context';
import { RestMethodNotAllowed, restErrorOf } from './rest-errors';
import { registerAppRoutes } from './routes-apps';
import { registerClassicRoutes } from './routes-classic';
import { registerFileRoutes } from './routes-files';
import { registerGroupRoutes } from './routes-groups';
import { registerMessageRoutes } from './routes-messages';
import { registerSubAccountRoutes } from './routes-subaccounts';
import { guardOfflineApps, requireRouteKinds } from './route-kinds';

export interface RestPluginDeps extends RestContext {
  readonly auth: RestAuth;
}

/** Where the OpenAPI document of the native and classic paths is served (unsigned). */
export const OPENAPI_PATH = '/v1/openapi.json';

/**
 * The REST API for app servers (docs/rest.md): the native resources under /v1/accounts/{sid} and
 * the classic paths under /2013-12-26/Accounts/{sid}. Every request there is signed by the main
 * account; schemas (zod) validate requests and answers and generate the OpenAPI document.
 */
export function createRestPlugin(deps: RestPluginDeps): FastifyPluginAsync {
  return async (app) => {
    app.setValidatorCompiler(restValidatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    await app.register(swagger, {
      openapi: {
        info: { title: 'Magpie REST API', version: '1.0.0', description: 'Signed by the main account: see docs/rest.md.' },
        components: {
          securitySchemes: {
            sig: { type: 'apiKey', in: 'query', name: 'sig', description: 'upper-case hex MD5(accountSid + authToken + timestamp)' },
            authorization: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'base64(accountSid:timestamp), timestamp yyyyMMddHHmmss' },
          },
        },
        security: [{ sig: [], authorization: [] }],
      },
      transform: describedAsServed,
    });
    app.get(OPENAPI_PATH, { schema: { hide: true } }, () => app.swagger());

    await app.register(async (native) => {
      // Fastify also reads text/plain, as a string the schema then refuses with a 400: a body that
      // is not JSON is the wrong media type (415), whatever its type says
      native.removeContentTypeParser('text/plain');
      native.setErrorHandler(nativeErrorHandler(deps.log));
      native.addHook('preValidation', signedBy(deps));
      // every signed route says what it does, and the one guard refuses what would reach the
      // users of an app taken offline (docs/rest.md "An app taken offline")
      requireRouteKinds(native);
      native.addHook('preHandler', guardOfflineApps(deps));
      registerAppRoutes(native, deps);
      registerSubAccountRoutes(native, deps);
      registerMessageRoutes(native, deps);
      registerGroupRoutes(native, deps);
      await registerFileRoutes(native, deps);
      native.all('/v1/*', { schema: { hide: true } }, noSuchRoute(native));
    });

    await app.register(async (classic) => {
      classic.removeContentTypeParser('text/plain');
      classic.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'buffer' }, (request, body, done) => {
        try {
          checkUtf8Charset(request.headers['content-type']);
          done(null, parseClassicXml(utf8BodyText(body as Buffer)));
        } catch (error) {
          done(error as Error, undefined);
        }
      });
      classic.setErrorHandler(classicErrorHandler(deps.log));
      classic.addHook('preValidation', signedBy(deps));
      requireRouteKinds(classic);
      classic.addHook('preHandler', guardOfflineApps(deps));
      registerClassicRoutes(classic, deps);
      classic.all('/2013-12-26/*', { schema: { hide: true } }, noSuchRoute(classic));
    });
  };
}

/**
 * The zod validator, with its two least telling messages said plainly: a field left out ("Invalid
 * input: expected string, received undefined") is "is required (a string)", and a query number
 * that is no number ("expected number, received NaN") is "is not a number"; a field the path does
 * not take is said so.
 */
const restValidatorCompiler: typeof validatorCompiler = (route) => {
  const validate = validatorCompiler(route);
  return (data) => {
    const result = validate(data);
    if (typeof result === 'object' && 'error' in result && Array.isArray(result.error)) {
      for (const issue of result.error as { keyword?: string; message?: string; instancePath?: string; params?: { expected?: unknown } }[]) {
        // the whole body or query: "body has a field ...", not "body/ has a field ..."
        if (issue.instancePath === '/') issue.instancePath = '';
        if (issue.keyword === 'unrecognized_keys' && typeof issue.message === 'string') {
          issue.message = issue.message.replace(/^Unrecognized keys?: /, 'has a field this path does not take (see /v1/openapi.json): ');
        }
        if (issue.keyword !== 'invalid_type' || typeof issue.message !== 'string') continue;
        if (issue.message.endsWith('received undefined')) {
          issue.message = typeof issue.params?.expected === 'string' ? `is required (${articled(issue.params.expected)})` : 'is required';
        } else if (issue.message.endsWith('expected number, received NaN')) {
          issue.message = 'is not a number';
        }
      }
    }
    return result;
  };
};

function articled(type: string): string {
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

/** The native paths' refusal: `{"error":{"code":N,"message":"..."}}` (docs/rest.md lists the codes). */
const NATIVE_ERROR = {
  description: 'Refused: the code is stable (docs/rest.md), the message says what to fix',
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: { code: { type: 'integer' }, message: { type: 'string' } },
      required: ['code', 'message'],
    },
  },
  required: ['error'],
};

/** The classic paths' answer, JSON or XML (root element Response) by Accept, else like the body. */
function classicEnvelope(description: string) {
  return {
    description,
    type: 'object',
    xml: { name: 'Response' },
    properties: {
      statusCode: { type: 'string', description: '"000000", or the error code as a string' },
      statusMsg: { type: 'string', description: 'what went wrong, on a refusal' },
    },
    required: ['statusCode'],
    additionalProperties: true,
  };
}

type SwaggerTransformInput = Parameters<typeof jsonSchemaTransform>[0];

/**
 * The OpenAPI document says what the server does, beyond the zod schemas: the classic paths take
 * XML as well as JSON and answer in either, an upload's body is the file's bytes, every path
 * may refuse with its error body, and `x-magpie-kind` says what each path does (route-kinds.ts).
 */
function describedAsServed(input: SwaggerTransformInput): ReturnType<typeof jsonSchemaTransform> {
  const out = jsonSchemaTransform(input);
  const schema = out.schema as Record<string, unknown> | undefined;
  if (schema === undefined || schema.hide === true) return out;
  // read, manage or reach-users: the last is refused in an app taken offline (docs/rest.md)
  const kind = input.route.config?.restKind;
  if (kind !== undefined) schema['x-magpie-kind'] = kind;
  if (out.url.startsWith('/2013-12-26/')) {
    if (schema.body !== undefined) schema.consumes = ['application/json', 'application/xml', 'text/xml'];
    schema.produces = ['application/json', 'application/xml'];
    schema.response = {
      200: classicEnvelope('statusCode "000000" and the answer\'s fields'),
      '4XX': classicEnvelope('Refused: statusCode is the stable error code (docs/rest.md), statusMsg says what to fix'),
      '5XX': classicEnvelope('The server failed (500) or cannot write its storage (503): make the call again later'),
    };
    return out;
  }
  if (out.url.endsWith('/files')) {
    // the file's bytes, any Content-Type, with a Content-Length (docs/rest.md "Media")
    schema.consumes = ['*/*'];
    schema.body = { type: 'string', format: 'binary', description: 'the file\'s bytes; Content-Length is required' };
  }
  schema.response = {
    ...(schema.response as Record<string, unknown> | undefined),
    '4XX': NATIVE_ERROR,
    '5XX': { ...NATIVE_ERROR, description: 'The server failed (500) or cannot write its storage (503): make the call again later' },
  };
  return out;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** The methods a path of the API takes (none: the API has no such path). */
function methodsOf(scope: FastifyInstance, url: string): string[] {
  return METHODS.filter((method) => {
    const route = scope.findRoute({ method, url });
    return route !== null && !('*' in route.params);
  });
}

/**
 * What the catch-all of a family of paths answers: 404 for a path the API does not have; for one
 * it has, asked with another method, 405 naming the methods it takes (in `Allow` too), and an
 * OPTIONS request 204 with `Allow`, unsigned (it reaches no resource).
 */
function noSuchRoute(scope: FastifyInstance) {
  return (request: FastifyRequest, reply: FastifyReply) => {
    const path = pathOf(request.url);
    const allowed = methodsOf(scope, path);
    if (allowed.length === 0) throw new MagpieError(ErrorCode.REST_NOT_FOUND, hasOverlongPart(path) ? OVERLONG_PATH_PART : 'no such REST path');
    reply.header('allow', [...allowed, 'OPTIONS'].join(', '));
    if (request.method === 'OPTIONS') return reply.code(204).send();
    throw new RestMethodNotAllowed(request.method, allowed);
  };
}

/**
 * The answer to a request no route took (http-server.ts), in the REST API's error shape on its
 * paths (the classic paths' `statusCode` and `statusMsg`, JSON or XML): a path that does not
 * decode, an over-long id, or a method the listener knows and no route takes (PROPFIND, TRACE),
 * 405 with `Allow` on a path of the API as any other method it does not take.
 */
export function answerRestUnrouted(log: Logger): UnroutedAnswer {
  return (request, reply, unrouted) => {
    const path = pathOf(request.url);
    let refusal = unrouted;
    if (unrouted.status === 404 && (path.startsWith('/v1/') || path.startsWith('/2013-12-26/'))) {
      const allowed = methodsOf(request.server, path);
      if (allowed.length === 0) refusal = { ...unrouted, message: hasOverlongPart(path) ? OVERLONG_PATH_PART : 'no such REST path' };
      else {
        void reply.header('allow', [...allowed, 'OPTIONS'].join(', '));
        refusal = restErrorOf(new RestMethodNotAllowed(request.method, allowed));
      }
    }
    if (path.startsWith('/2013-12-26/')) {
      logFailure(log, request, refusal, refusal.status);
      return sendClassic(request, reply, refusal.status, { statusCode: String(refusal.code), statusMsg: refusal.message });
    }
    if (path.startsWith('/v1/')) logFailure(log, request, refusal, refusal.status);
    return reply.code(refusal.status).type('application/json; charset=utf-8').send(JSON.stringify({ error: { code: refusal.code, message: refusal.message } }));
  };
}

/** Every route with an {accountSid} must be signed by that account. */
function signedBy(deps: RestPluginDeps) {
  return async (request: FastifyRequest): Promise<void> => {
    const accountSid = (request.params as { accountSid?: string }).accountSid;
    if (accountSid === undefined) return;
    // the query parser gives a parameter named twice as a list of its values
    const sig = (request.query as { sig?: string | string[] }).sig;
    deps.auth.verify({
      accountSid,
      sig,
      authorization: request.headers.authorization,
      method: request.method,
      url: request.url,
      body: request.body,
      remoteAddress: request.ip,
    });
  };
}

/**
 * Logs the route pattern and the path, never the query: the query carries the signature (sig=),
 * which stays valid for its whole window and is not bound to the method or the URL.
 */
function logFailure(log: Logger, request: FastifyRequest, error: unknown, status: number): void {
  const where = { method: request.method, route: request.routeOptions?.url, path: pathOf(request.url), status };
  if (status >= 500) log.error({ err: error, ...where }, 'REST request failed');
  else log.debug({ err: error, ...where }, 'REST request refused');
}

function nativeErrorHandler(log: Logger) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const refused = restErrorOf(error, 'json');
    logFailure(log, request, error, refused.status);
    if (error instanceof RestRateLimited) void reply.header('retry-after', String(error.retryAfterSeconds));
    return reply.code(refused.status).type('application/json; charset=utf-8').send(JSON.stringify({ error: { code: refused.code, message: refused.message } }));
  };
}

function classicErrorHandler(log: Logger) {
  return (error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const refused = restErrorOf(error, 'json-or-xml');
    logFailure(log, request, error, refused.status);
    if (error instanceof RestRateLimited) void reply.header('retry-after', String(error.retryAfterSeconds));
    return sendClassic(request, reply, refused.status, { statusCode: String(refused.code), statusMsg: refused.message });
  };
}

