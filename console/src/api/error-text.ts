import { ErrorCode } from '../../../protocol/errors';
import { ConsoleApiError, ConsoleUnreachableError } from './console-api';

type Translate = (key: string, values?: Record<string, unknown>) => string;

/**
 * What to tell the developer about a refused call: the page's own text in their language for every
 * code the console's API can answer (docs/console.md), else the server's message with its code.
 */
export function errorText(t: Translate, error: unknown): string {
  if (error instanceof ConsoleUnreachableError) {
    return error.status === undefined ? t('errors.unreachable') : t('errors.badAnswer', { status: error.status });
  }
  if (!(error instanceof ConsoleApiError)) return t('errors.generic', { code: '-', message: error instanceof Error ? error.message : String(error) });
  switch (error.code) {
    case ErrorCode.REST_AUTH_FAILED:
      return t('errors.wrongCredentials');
    case ErrorCode.REST_RATE_LIMITED:
      return t('errors.rateLimited');
    case ErrorCode.REST_FORBIDDEN:
      return t('errors.forbidden');
    case ErrorCode.PUSH_URL_INVALID:
      return t('errors.pushUrlInvalid');
    case ErrorCode.NAME_TAKEN:
      return t('errors.nameTaken');
    case ErrorCode.INVALID_USER_ID:
      return t('errors.invalidName');
    case ErrorCode.APP_NOT_FOUND:
      return t('errors.appNotFound');
    case ErrorCode.USER_NOT_FOUND:
      return t('errors.subAccountNotFound');
    case ErrorCode.AUTH_TOKEN_UNAVAILABLE:
      return t('errors.authTokenUnavailable');
    case ErrorCode.REST_NOT_FOUND:
      return t('errors.pageOutdated');
    case ErrorCode.INTERNAL:
      return t('errors.internal');
    case ErrorCode.REST_BAD_REQUEST:
      // the server's message is its schema's English ("querystring/friendlyName Too big: ..."),
      // for a developer calling the API, not for the page's reader: the page's fields keep within it
      return t('errors.badRequest');
    default:
      // a code this page does not know (a newer server): the server's words, with the code
      return t('errors.generic', { code: error.code, message: error.message });
  }
}

/** A call refused because the session is gone: the page goes back to the sign-in form. */
export function isSignedOut(error: unknown): boolean {
  return error instanceof ConsoleApiError && error.status === 401;
}
