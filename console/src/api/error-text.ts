import { ErrorCode } from '../../../protocol/errors';
import { ConsoleApiError, ConsoleUnreachableError } from './console-api';

type Translate = (key: string, values?: Record<string, unknown>) => string;

/** What to tell the developer about a refused call, in their language where the code is known. */
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
    case ErrorCode.REST_BAD_REQUEST:
      return t('errors.badRequest', { message: error.message });
    default:
      return t('errors.generic', { code: error.code, message: error.message });
  }
}

/** A call refused because the session is gone: the page goes back to the sign-in form. */
export function isSignedOut(error: unknown): boolean {
  return error instanceof ConsoleApiError && error.status === 401;
}
