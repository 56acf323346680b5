import { statSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode, MagpieError } from '../../protocol';
import { SERVER_KEY_FILE } from '../identity/server-key';
import { DATABASE_FILE, sqliteConnection } from '../storage/database';
import { refuseLostDatabase } from '../storage/lost-database';
import type { SqlDatabase } from '../storage/sql-database';

/**
 * Admin commands work on the data of a server that has started at least once; only `start` makes
 * a data folder. A mistyped --data must not quietly become a new folder whose secrets no running
 * server knows, so the folder, its server key and (without --db) its database file must be there
 * before anything is opened.
 */
export function requireMagpieFolder(dataDir: string, database: string | undefined): void {
  if (!isFile(join(dataDir, SERVER_KEY_FILE))) throw noMagpieData(dataDir);
  // a server key and no database file: the folder of a server on PostgreSQL (a cluster node's)
  if (database === undefined && !isFile(join(dataDir, DATABASE_FILE))) {
    throw new MagpieError(
      ErrorCode.NO_MAGPIE_DATA,
      `no SQLite database in ${dataDir}: a server that keeps its data in PostgreSQL uses this folder; give its --db postgres://…`,
    );
  }
  // an emptied database is refused as start refuses it, before SQLite opens it: opening a 0-byte
  // file deletes the write-ahead log beside it, which may hold everything a first start wrote
  if (database === undefined) refuseLostDatabase(dataDir);
}

/** After opening: the database must hold Magpie's schema (an empty file or schema is not Magpie's). */
export function requireMagpieSchema(db: SqlDatabase, dataDir: string, database: string | undefined): void {
  const sqlite = sqliteConnection(db);
  const found =
    sqlite === undefined
      ? db.prepare("SELECT 1 AS found FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_version'").get()
      : sqlite.prepare("SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'").get();
  if (found === undefined) {
    throw database === undefined
      ? noMagpieData(dataDir)
      : new MagpieError(ErrorCode.NO_MAGPIE_DATA, 'no Magpie data in the database of --db: start the server on it first, or check --db');
  }
}

function noMagpieData(dataDir: string): MagpieError {
  return new MagpieError(ErrorCode.NO_MAGPIE_DATA, `no Magpie data in ${dataDir}: start the server on it first, or check --data`);
}

/** A missing path (or one through a file) is "no data"; other failures (EACCES, EIO) are the folder's own. */
function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    throw error;
  }
}
