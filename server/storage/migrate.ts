import type { Database } from 'better-sqlite3';
import { runMigrations as runSteps, schemaTableLedger, type Migration as SqliteMigration } from '../../platform/sqlite';
import { sqliteConnection } from './database';
import type { Migration } from './migration';
import { pgSchemaVersion, runPgMigrations } from './pg/pg-migrate';
import type { SqlDatabase } from './sql-database';

export { NewerSchemaError } from '../../platform/sqlite';

/** The schema version of a database: the highest migration applied, 0 for a new one. */
export function schemaVersion(db: SqlDatabase): number {
  const sqlite = sqliteConnection(db);
  return sqlite === undefined ? pgSchemaVersion(db) : schemaTableLedger().read(sqlite);
}

/**
 * Brings the schema up to the newest migration, one transaction per step that re-reads the version
 * inside it (SQLite: BEGIN IMMEDIATE, platform/sqlite; PostgreSQL: an advisory lock), so a server
 * and an admin command, or several nodes, starting at once never apply a step twice. Refuses a
 * database from a newer server.
 */
export function runMigrations(db: SqlDatabase, migrations: readonly Migration[], now: () => number = Date.now): number {
  const sqlite = sqliteConnection(db);
  if (sqlite === undefined) return runPgMigrations(db, migrations, now);
  return runSteps(sqlite as Database, migrations as unknown as readonly SqliteMigration[], {
    ledger: schemaTableLedger(now),
    newerHint: 'upgrade the server',
  }).toVersion;
}
