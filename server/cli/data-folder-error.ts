import { PgError } from '../storage/pg/pg-errors';

/**
 * Failures that mean "this data folder cannot be used": the folder cannot be made, read or
 * written (permissions, a read-only or full file system, a file where the folder should be), or
 * its database cannot be opened. The CLI prints them as one line with their own exit code instead
 * of a stack trace.
 */
const FILE_SYSTEM_CODES = new Set(['EACCES', 'EPERM', 'ENOTDIR', 'EROFS', 'ENOSPC', 'EISDIR', 'ENOENT', 'EEXIST', 'EIO', 'EDQUOT', 'DATA_FOLDER_IN_USE', 'REDO_LOG_FAILED']);

/** better-sqlite3's codes: SQLITE_CANTOPEN, SQLITE_READONLY_*, SQLITE_IOERR_*, SQLITE_FULL, ... */
const SQLITE_CODE = /^SQLITE_(CANTOPEN|READONLY|IOERR|FULL|NOTADB|CORRUPT|PERM|AUTH)/;

export function isDataFolderError(error: unknown): boolean {
  // PostgreSQL's failures carry SQLite-like codes for the server's sake; they are not the folder's
  if (error instanceof PgError) return false;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return FILE_SYSTEM_CODES.has(code) || SQLITE_CODE.test(code);
}

/** A failure of the PostgreSQL database (--db): unreachable, refused, lost. */
export function isDatabaseError(error: unknown): error is PgError {
  return error instanceof PgError;
}

/** One line for people: the database's own reason, without libpq's second lines or a stack. */
export function databaseMessage(error: PgError): string {
  return `cannot use the database: ${error.message.split('\n')[0]!.trim()}`;
}

/** One line for people: what could not be done and the system's reason, without a stack. */
export function dataFolderMessage(dataDir: string, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  return `cannot use the data folder ${dataDir}: ${reason.split('\n')[0]}`;
}
