import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, MagpieError } from '../../protocol';
import type { SqlDatabase } from '../storage/sql-database';
import { loadOrCreateServerKey, SERVER_KEY_FILE, type ServerKey } from './server-key';
import { accountContext } from './identity';

/** One secret the database holds sealed, with the context it was sealed under. */
interface SealedSample {
  readonly sealed: string;
  readonly context: string;
}

/**
 * The data folder's server key, checked against the database: the key that sealed its app and
 * auth tokens must be the one found in the folder. A cluster node (or an admin command) given
 * another folder than the one the database was first used with would otherwise start, and answer
 * every login and REST call of every app with an internal error (docs/server.md "Cluster mode").
 * A folder with no key is then refused before one is made there. A database that holds no sealed
 * secret yet has nothing to check against.
 */
export function openServerKeyFor(db: SqlDatabase, dataDir: string): ServerKey {
  const sample = sealedSample(db);
  if (sample !== undefined && !existsSync(join(dataDir, SERVER_KEY_FILE))) {
    throw mismatch(`${dataDir} holds no ${SERVER_KEY_FILE}, but the database holds secrets sealed with one`);
  }
  const key = loadOrCreateServerKey(dataDir);
  if (sample !== undefined && !opens(key, sample)) {
    throw mismatch(`the ${SERVER_KEY_FILE} in ${dataDir} is not the key the database's secrets were sealed with`);
  }
  return key;
}

function mismatch(what: string): MagpieError {
  return new MagpieError(
    ErrorCode.SERVER_KEY_MISMATCH,
    `${what}: give --data the folder the database was first used with (cluster nodes share one), or check --db`,
  );
}

function sealedSample(db: SqlDatabase): SealedSample | undefined {
  const app = db.prepare<[], { app_id: string; app_token_sealed: string }>('SELECT app_id, app_token_sealed FROM apps ORDER BY created_ms, app_id LIMIT 1').get();
  if (app !== undefined) return { sealed: app.app_token_sealed, context: app.app_id };
  const account = db
    .prepare<[], { account_sid: string; auth_token_sealed: string }>(
      'SELECT account_sid, auth_token_sealed FROM accounts WHERE auth_token_sealed IS NOT NULL ORDER BY created_ms, account_sid LIMIT 1',
    )
    .get();
  return account === undefined ? undefined : { sealed: account.auth_token_sealed, context: accountContext(account.account_sid) };
}

function opens(key: ServerKey, sample: SealedSample): boolean {
  try {
    key.open(sample.sealed, sample.context);
    return true;
  } catch {
    return false;
  }
}
