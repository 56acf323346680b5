import type { Database } from 'better-sqlite3';
import { ErrorCode, MagpieError } from '../../protocol';

/** One numbered schema step (migrations/NNNN-name.ts), run in its own transaction. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Database): void;
}

export interface MigrationOutcome {
  readonly fromVersion: number;
  readonly toVersion: number;
}

/**
 * Brings the database to the newest version. The version lives in PRAGMA user_version, written
 * in the same transaction as the step, so a crash leaves the database at a step's start or end.
 * A database from a newer app is refused rather than half-understood.
 */
export function migrate(db: Database, migrations: readonly Migration[]): MigrationOutcome {
  migrations.forEach((migration, i) => {
    if (migration.version !== i + 1) {
      throw new RangeError(`migration ${migration.name} has version ${migration.version}, expected ${i + 1}`);
    }
  });
  const latest = migrations.length;
  const fromVersion = db.pragma('user_version', { simple: true }) as number;
  if (fromVersion > latest) {
    throw new MagpieError(
      ErrorCode.UNSUPPORTED_VERSION,
      `the message database has schema version ${fromVersion}, newer than this app knows (${latest}); update the app`,
    );
  }
  for (const migration of migrations.slice(fromVersion)) {
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
  return { fromVersion, toVersion: latest };
}
