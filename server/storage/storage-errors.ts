import { ErrorCode, MagpieError } from '../../protocol';

/**
 * SQLite failures that say the storage itself cannot be used right now, not that the request was
 * wrong: a full disk (SQLITE_FULL), an I/O error (SQLITE_IOERR_*), a file that became read-only,
 * a lock held too long. The request is answered STORAGE_UNAVAILABLE (nothing of it was stored)
 * and the server goes on; when the disk has room again, the next request succeeds.
 */
const STORAGE_CODES = /^SQLITE_(FULL|IOERR|READONLY|BUSY|LOCKED|CANTOPEN|NOMEM|PROTOCOL)/;

/**
 * The same for a file the server writes (the file service's media folder): full (ENOSPC, EDQUOT),
 * failing (EIO), read-only (EROFS) or not the server's to write (EACCES, EPERM).
 */
const FILE_SYSTEM_CODES: ReadonlySet<string> = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS', 'EACCES', 'EPERM']);

export function isStorageFailure(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return STORAGE_CODES.test(code) || FILE_SYSTEM_CODES.has(code);
  return false;
}

/** The MagpieError a storage failure is answered with, or undefined for any other error. */
export function storageUnavailable(error: unknown): MagpieError | undefined {
  if (!isStorageFailure(error)) return undefined;
  return new MagpieError(ErrorCode.STORAGE_UNAVAILABLE, 'the server cannot store this now (storage unavailable); retry later', { cause: error });
}
