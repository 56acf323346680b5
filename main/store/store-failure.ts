import { ErrorCode, MagpieError } from '../../protocol';

/** SQLite's word for a file that is not a database, or one whose pages are damaged. */
const CORRUPT = /^SQLITE_(NOTADB|CORRUPT)/;
/** A store that is whole but cannot be written now: a full disk, a read-only file or folder, a failing disk. */
const UNAVAILABLE = /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN)/;

/** What went wrong with the local store, from a SQLite error; undefined for anything else. */
export function storeFailureKind(error: unknown): 'corrupt' | 'unavailable' | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  if (CORRUPT.test(code)) return 'corrupt';
  if (UNAVAILABLE.test(code)) return 'unavailable';
  return undefined;
}

/**
 * A local store that cannot be written as its own error (LOCAL_STORE_UNAVAILABLE), never as a
 * failure of the server (INTERNAL): it names the file and says that nothing is lost by waiting.
 */
export function localStoreUnavailable(error: unknown, file: string | undefined): MagpieError | undefined {
  if (storeFailureKind(error) !== 'unavailable') return undefined;
  const reason = error instanceof Error ? error.message : String(error);
  return new MagpieError(
    ErrorCode.LOCAL_STORE_UNAVAILABLE,
    `the local store${file === undefined ? '' : ` ${file}`} cannot be written (${reason}): its disk is full, or it or its folder is read-only. ` +
      'Nothing stored was lost: free some space (or make it writable) and try again',
    { cause: error },
  );
}
