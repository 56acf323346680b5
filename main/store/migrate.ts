import type { Database } from 'better-sqlite3';
import { ErrorCode, MagpieError } from '../../protocol';
import { NewerSchemaError, runMigrations, userVersionLedger, type Migration, type MigrationOutcome } from '../../platform/sqlite';

export type { Migration, MigrationOutcome } from '../../platform/sqlite';

/**
 * Brings the message database to the newest version (platform/sqlite). The version lives in
 * PRAGMA user_version, written in the same transaction as the step. A database from a newer app
 * is refused with UNSUPPORTED_VERSION rather than half-understood.
 */
export function migrate(db: Database, migrations: readonly Migration[]): MigrationOutcome {
  try {
    return runMigrations(db, migrations, { ledger: userVersionLedger, newerHint: 'update the app' });
  } catch (error) {
    if (error instanceof NewerSchemaError) {
      throw new MagpieError(ErrorCode.UNSUPPORTED_VERSION, `the message ${error.message.replace(/^the /, '')}`);
    }
    throw error;
  }
}
