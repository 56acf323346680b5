import { ErrorCode, isMagpieError, MagpieError } from '../../protocol';
import { storageUnavailable } from '../storage/storage-errors';

/** The HTTP status of each code a REST call may answer; anything else is a 400 (a refused rule). */
const STATUS: Partial<Record<number, number>> = {
  [ErrorCode.REST_BAD_REQUEST]: 400,
  [ErrorCode.REST_AUTH_FAILED]: 401,
  [ErrorCode.REST_SIGNATURE_EXPIRED]: 401,
  [ErrorCode.REST_REPLAYED]: 401,
  [ErrorCode.AUTH_TOKEN_UNAVAILABLE]: 401,
  [ErrorCode.REST_FORBIDDEN]: 403,
  [ErrorCode.SUB_ACCOUNT_CLOSED]: 403,
  [ErrorCode.APP_OFFLINE]: 403,
  [ErrorCode.REST_NOT_FOUND]: 404,
  [ErrorCode.ACCOUNT_NOT_FOUND]: 404,
  [ErrorCode.APP_NOT_FOUND]: 404,
  [ErrorCode.USER_NOT_FOUND]: 404,
  [ErrorCode.GROUP_NOT_FOUND]: 404,
  [ErrorCode.MESSAGE_NOT_FOUND]: 404,
  [ErrorCode.RECIPIENT_NOT_FOUND]: 404,
  [ErrorCode.NAME_TAKEN]: 409,
  [ErrorCode.REST_UNSUPPORTED_MEDIA_TYPE]: 415,
  [ErrorCode.REST_RATE_LIMITED]: 429,
  [ErrorCode.MEDIA_UNAVAILABLE]: 501,
  [ErrorCode.UPLOAD_NOT_FOUND]: 404,
  [ErrorCode.FILE_FORBIDDEN]: 403,
  [ErrorCode.FILE_TOO_LARGE]: 413,
  [ErrorCode.FILE_TYPE_REFUSED]: 415,
  [ErrorCode.INTERNAL]: 500,
  // the disk is full or failing: nothing was stored, the same call succeeds once it has room
  [ErrorCode.STORAGE_UNAVAILABLE]: 503,
};

/** A path the API has, asked with a method it does not take: 405 with REST_NOT_FOUND's code. */
export class RestMethodNotAllowed extends MagpieError {
  constructor(method: string, allowed: readonly string[]) {
    super(ErrorCode.REST_NOT_FOUND, `${method} is not a method of this path: it takes ${allowed.join(', ')}`);
  }
}

export interface RestError {
  readonly status: number;
  readonly code: number;
  readonly message: string;
}

interface FastifyLikeError {
  readonly validation?: unknown;
  readonly statusCode?: number;
  readonly code?: string;
  readonly message?: string;
}

/** The bodies a family of paths takes, as the 415 answer names them. */
export type RestBodyFormats = 'json' | 'json-or-xml';

const SEND_WHAT: Record<RestBodyFormats, string> = {
  json: 'send JSON (application/json)',
  'json-or-xml': 'send JSON (application/json) or XML (application/xml)',
};

/**
 * Turns what a handler threw into the answer: a MagpieError keeps its code; Fastify's own errors
 * (a schema that does not match, a body that does not parse, one too large, a content type no
 * parser takes) become REST codes; a storage failure (a full disk) is 503 STORAGE_UNAVAILABLE, as
 * the gateway answers it; anything else is INTERNAL and its message is not shown.
 */
export function restErrorOf(error: unknown, formats: RestBodyFormats = 'json'): RestError {
  const storage = storageUnavailable(error);
  if (storage !== undefined) return { status: 503, code: storage.code, message: storage.message };
  if (error instanceof RestMethodNotAllowed) return { status: 405, code: error.code, message: error.message };
  if (isMagpieError(error)) return { status: STATUS[error.code] ?? 400, code: error.code, message: error.message };
  const fastify = error as FastifyLikeError;
  if (fastify.validation !== undefined) {
    return { status: 400, code: ErrorCode.REST_BAD_REQUEST, message: fastify.message ?? 'the request does not match its schema' };
  }
  if (fastify.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return { status: 415, code: ErrorCode.REST_UNSUPPORTED_MEDIA_TYPE, message: SEND_WHAT[formats] };
  }
  if (fastify.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return {
      status: 413,
      code: ErrorCode.REST_BAD_REQUEST,
      message: 'the request body is larger than the server takes (httpBodyLimitBytes: 4 MiB unless its operator changed it); send files through /files',
    };
  }
  if (typeof fastify.statusCode === 'number' && fastify.statusCode >= 400 && fastify.statusCode < 500) {
    return { status: fastify.statusCode, code: ErrorCode.REST_BAD_REQUEST, message: fastify.message ?? 'bad request' };
  }
  return { status: 500, code: ErrorCode.INTERNAL, message: 'the server failed; the request may be retried' };
}
