import { ErrorCode, type SizeRefusal } from '../../protocol';

/** The error shape tus hooks throw and the download route sends: a JSON body with a stable code. */
export interface HttpError {
  readonly status_code: number;
  readonly body: string;
}

/**
 * A refusal for size also carries its figures as data, `sizeBytes` and `limitBytes` beside code and
 * message: fields a client before them does not read, and one after them shows without parsing words.
 */
export function httpError(status: number, code: number, message: string, tooLarge?: SizeRefusal): HttpError {
  return { status_code: status, body: JSON.stringify({ code, message, ...(tooLarge ? { sizeBytes: tooLarge.sizeBytes, limitBytes: tooLarge.limitBytes } : {}) }) };
}

/** The HTTP status that goes with a file-service code. */
export function statusOf(code: number): number {
  switch (code) {
    case ErrorCode.MEDIA_TOKEN_INVALID:
      return 401;
    case ErrorCode.FILE_FORBIDDEN:
      return 403;
    case ErrorCode.FILE_TOO_LARGE:
      return 413;
    case ErrorCode.FILE_TYPE_REFUSED:
      return 415;
    case ErrorCode.UPLOAD_NOT_FOUND:
      return 404;
    case ErrorCode.STORAGE_UNAVAILABLE:
      return 503;
    case ErrorCode.UPLOAD_QUOTA_EXCEEDED:
      return 429;
    default:
      return 400;
  }
}
