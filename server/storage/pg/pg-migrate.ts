import { NewerSchemaError } from '../../../platform/sqlite';
import type { Migration } from '../migration';
import type { SqlDatabase } from '../sql-database';

/**
 * The migration runner on PostgreSQL: the same steps and the same schema_version table as on
 * SQLite. Each step runs in its own transaction that first takes a transaction-scoped advisory lock
 * for the schema, then re-reads the version: nodes starting together apply each step once, in
 * order, and a step that fails leaves the schema at its start.
 */

/** The advisory lock's first key: "magpie" in ASCII, so it does not meet other users' locks. */
const LOCK_KEY = 0x6d6167;

const LEDGER_TABLE = `CREATE TABLE IF NOT EXISTS schema_version (
  version BIGINT PRIMARY KEY,
  name TEXT NOT NULL,
  applied_ms BIGINT NOT NULL
)`;

function lockSchema(db: SqlDatabase): void {
  db.prepare(`SELECT pg_advisory_xact_lock(${LOCK_KEY}, hashtext(current_schema()))`).get();
}

function readVersion(db: SqlDatabase): number {
  db.exec(LEDGER_TABLE);
  return db.prepare<[], number | null>('SELECT MAX(version) FROM schema_version').pluck().get() ?? 0;
}

export function pgSchemaVersion(db: SqlDatabase): number {
  return db.transaction(() => {
    lockSchema(db);
    return readVersion(db);
  })();
}

export function runPgMigrations(db: SqlDatabase, migrations: readonly Migration[], now: () => number): number {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new RangeError(`migration ${migration.name} has version ${migration.version}, expected ${index + 1}`);
    }
    if (migration.postgres === undefined) throw new RangeError(`migration ${migration.name} has no PostgreSQL body`);
  });
  const known = migrations.length;
  const fromVersion = pgSchemaVersion(db);
  if (fromVersion > known) throw new NewerSchemaError(fromVersion, known, 'upgrade the server');
  for (const migration of migrations.slice(fromVersion)) {
    db.transaction(() => {
      lockSchema(db);
      if (readVersion(db) >= migration.version) return;
      migration.postgres!(db);
      db.prepare('INSERT INTO schema_version (version, name, applied_ms) VALUES (?, ?, ?)').run(migration.version, migration.name, now());
    })();
  }
  return pgSchemaVersion(db);
}
