import { randomBytes } from 'node:crypto';
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
 * A folder with no key is then refused before one is made there. The first opener of a database
 * seals a check value into it (server_key_check), so even a database with no app or token yet
 * refuses a second key; openers racing on an empty database keep whichever check value landed
 * first, and the others are refused.
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
  if (!sealCheckValue(db, key)) {
    throw mismatch(`the ${SERVER_KEY_FILE} in ${dataDir} is not the key the database's secrets were sealed with`);
  }
  return key;
}

/** What the check value is sealed under: no app id or account sid can be this. */
const CHECK_CONTEXT = 'server-key-check';

/**
 * Writes the check value unless the database holds one, then reads back the one it holds: false
 * when another key sealed it (another opener got there first with another folder).
 */
function sealCheckValue(db: SqlDatabase, key: ServerKey): boolean {
  const held = checkValue(db);
  if (held !== undefined) return opens(key, held);
  db.prepare('INSERT INTO server_key_check (id, sealed) VALUES (1, ?) ON CONFLICT (id) DO NOTHING').run(key.seal(randomBytes(16).toString('hex'), CHECK_CONTEXT));
  const written = checkValue(db);
  return written !== undefined && opens(key, written);
}

function checkValue(db: SqlDatabase): SealedSample | undefined {
  const sealed = db.prepare<[], string>('SELECT sealed FROM server_key_check WHERE id = 1').pluck().get();
  return sealed === undefined ? undefined : { sealed, context: CHECK_CONTEXT };
}

function mismatch(what: string): MagpieError {
  return new MagpieError(
    ErrorCode.SERVER_KEY_MISMATCH,
    `${what}: give --data the folder the database was first used with (cluster nodes share one), or check --db`,
  );
}

function sealedSample(db: SqlDatabase): SealedSample | undefined {
  const check = checkValue(db);
  if (check !== undefined) return check;
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
