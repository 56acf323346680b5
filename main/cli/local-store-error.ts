import { ErrorCode, MagpieError } from '../../protocol';
import { storeFailureKind } from '../store/store-failure';

/**
 * A damaged local store as its own error (LOCAL_STORE_CORRUPT, exit code 5), never as a server
 * refusal: it says which file and how to recover. The server keeps every message, so a fresh
 * profile syncs everything again; only messages still waiting in the old outbox are lost.
 */
export function localStoreCorruption(error: unknown, profileDir: string, file: string | undefined): MagpieError | undefined {
  if (storeFailureKind(error) !== 'corrupt') return undefined;
  const reason = error instanceof Error ? error.message : String(error);
  return new MagpieError(
    ErrorCode.LOCAL_STORE_CORRUPT,
    `the local store ${file ?? `in ${profileDir}`} is damaged (${reason}). The server keeps every message: move ` +
      `${file ? 'that file' : 'that folder'} aside (or pass --profile with a new folder) and run the command again to sync everything anew; ` +
      `messages that were still waiting to be sent from the damaged store are lost`,
    { cause: error },
  );
}
