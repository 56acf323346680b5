import { openDatabase, type OpenDatabaseOptions } from './database';
import { PgDatabase, type PgTimeouts } from './pg/pg-database';
import { parsePgUrl } from './pg/pg-url';
import type { SqlDatabase } from './sql-database';

/**
 * The server's database: PostgreSQL when a URL is given (`--db`, ServerConfig.database), else the
 * SQLite file in the data folder.
 */
export interface OpenStoreOptions extends OpenDatabaseOptions {
  /** PostgreSQL's bounds on waits (tuning pgLockTimeoutMs, …). */
  readonly pgTimeouts?: Partial<PgTimeouts>;
  /** PostgreSQL's application_name for this process (magpie-<node>). */
  readonly applicationName?: string;
}

export function openStore(dataDir: string, databaseUrl: string | undefined, options: OpenStoreOptions): SqlDatabase {
  if (databaseUrl === undefined) return openDatabase(dataDir, options);
  const location = parsePgUrl(databaseUrl);
  return new PgDatabase({
    conninfo: location.conninfo,
    schema: location.schema,
    ...(options.pgTimeouts ? { timeouts: options.pgTimeouts } : {}),
    ...(options.applicationName ? { applicationName: options.applicationName } : {}),
  });
}
