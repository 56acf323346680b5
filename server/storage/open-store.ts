import { openDatabase, type OpenDatabaseOptions } from './database';
import { PgDatabase } from './pg/pg-database';
import { parsePgUrl } from './pg/pg-url';
import type { SqlDatabase } from './sql-database';

/**
 * The server's database: PostgreSQL when a URL is given (`--db`, ServerConfig.database), else the
 * SQLite file in the data folder.
 */
export function openStore(dataDir: string, databaseUrl: string | undefined, options: OpenDatabaseOptions): SqlDatabase {
  if (databaseUrl === undefined) return openDatabase(dataDir, options);
  const location = parsePgUrl(databaseUrl);
  return new PgDatabase({ conninfo: location.conninfo, schema: location.schema });
}
