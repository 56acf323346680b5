import type { Database } from 'better-sqlite3';
import { runMigrations as runSteps, schemaTableLedger } from '../../platform/sqlite';
import type { Migration } from './migration';

export { NewerSchemaError } from '../../platform/sqlite';

/** The schema version of a database: the highest migration applied, 0 for a new one. */
export function schemaVersion(db: Database): number {
  return schemaTableLedger().read(db);
}

/**
 * Brings the schema up to the newest migration (platform/sqlite: one IMMEDIATE transaction per
 * step, so a server and an admin command starting at once never apply a step twice). Refuses a
 * database from a newer server.
 */
export function runMigrations(db: Database, migrations: readonly Migration[], now: () => number = Date.now): number {
  return runSteps(db, migrations, { ledger: schemaTableLedger(now), newerHint: 'upgrade the server' }).toVersion;
}
