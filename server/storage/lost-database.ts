import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from 'better-sqlite3';
import { ErrorCode, MagpieError } from '../../protocol';
import { SERVER_KEY_FILE } from '../identity/server-key';
import { REDO_LOG_SUFFIX } from './commit-window';
import { DEMO_FILE, NODE_PID_FILE, PID_FILE } from './data-folder-files';
import { DATABASE_FILE } from './database';
import type { SqlDatabase } from './sql-database';

/**
 * The files of a data folder a server has used: each is written only once the database holds
 * Magpie's tables (the key right after the first start's migrations; the demo, the pid files, the
 * stored files and a redo log's records later), so a first start killed at any point leaves none
 * of them beside a database that is missing or empty. The lock file and an empty redo log are made
 * before the tables, and a `files/` folder may be a mount made for a new server: neither counts.
 */
export function usedFolderTraces(dataDir: string): string[] {
  const traces = listFolder(dataDir).filter((name) => name === SERVER_KEY_FILE || name === DEMO_FILE || name === PID_FILE || NODE_PID_FILE.test(name));
  if (sizeOf(join(dataDir, DATABASE_FILE + REDO_LOG_SUFFIX)) > 0) traces.push(DATABASE_FILE + REDO_LOG_SUFFIX);
  if (listFolder(join(dataDir, 'files', 'blobs')).length > 0) traces.push('files/blobs/');
  return traces;
}

/**
 * Before the SQLite database is opened (which would make a new one): a used folder whose
 * magpie.db is gone or was emptied to 0 bytes is refused. SQLite would open it as a new, empty
 * database, and the server would start with no account, app or message, without a word.
 */
export function refuseLostDatabase(dataDir: string): void {
  const size = sizeOf(join(dataDir, DATABASE_FILE));
  if (size > 0) return;
  const traces = usedFolderTraces(dataDir);
  if (traces.length > 0) throw lostDatabase(dataDir, size < 0 ? 'is missing' : 'is empty (0 bytes)', traces);
}

/** After opening, before the migrations: a used folder whose database holds no Magpie tables (replaced by an empty one). */
export function refuseEmptiedDatabase(raw: Database, dataDir: string): void {
  if (raw.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get() !== undefined) return;
  const traces = usedFolderTraces(dataDir);
  if (traces.length > 0) throw lostDatabase(dataDir, 'holds no Magpie tables', traces);
}

/**
 * PostgreSQL (--db), after connecting, before the migrations: a used folder whose schema holds no
 * Magpie data (dropped, or --db names another, empty database) is refused as SQLite's is; the
 * migrations would make a new, empty server beside the folder's key. The folder is looked at
 * before the schema: a cluster node's key is written only after its migrations committed, so a
 * node starting beside another one's first start never sees the key without the tables.
 */
export function refuseEmptiedSchema(db: SqlDatabase, dataDir: string): void {
  const traces = usedFolderTraces(dataDir);
  if (traces.length === 0) return;
  const ledger = db.prepare<[], number>("SELECT CASE WHEN to_regclass('schema_version') IS NULL THEN 0 ELSE 1 END").pluck().get();
  if (ledger === 1 && db.prepare('SELECT 1 AS found FROM schema_version LIMIT 1').get() !== undefined) return;
  throw new MagpieError(
    ErrorCode.DATABASE_MISSING,
    `the data folder ${dataDir} was used by a Magpie server (it holds ${traces.join(', ')}) but the schema of --db holds no Magpie tables: ` +
      `starting would make a new, empty server. Check --db (its database and ?schema=), or restore the schema from a backup; ` +
      `to start afresh on purpose, move the folder aside and start on a new one`,
  );
}

function lostDatabase(dataDir: string, what: string, traces: readonly string[]): MagpieError {
  return new MagpieError(
    ErrorCode.DATABASE_MISSING,
    `the data folder ${dataDir} was used by a Magpie server (it holds ${traces.join(', ')}) but its database ${DATABASE_FILE} ${what}: ` +
      `starting would make a new, empty server. Put ${DATABASE_FILE} back from a backup (or give --db if this folder's data is in PostgreSQL); ` +
      `to start afresh on purpose, move the folder aside and start on a new one`,
  );
}

/** The folder's entries; none when it (or a folder on its path) does not exist. */
function listFolder(path: string): string[] {
  try {
    return readdirSync(path);
  } catch (error) {
    if (isMissing(error)) return [];
    throw error;
  }
}

/** The file's size, or -1 when there is none. */
function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch (error) {
    if (isMissing(error)) return -1;
    throw error;
  }
}

function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
