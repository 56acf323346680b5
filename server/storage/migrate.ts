import type { Database } from 'better-sqlite3';
import type { Migration } from './migration';

/** The schema version of a database: the highest migration applied, 0 for a new one. */
export function schemaVersion(db: Database): number {
  ensureVersionTable(db);
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_version').get() as { version: number | null };
  return row.version ?? 0;
}

function ensureVersionTable(db: Database): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_ms INTEGER NOT NULL
  ) STRICT`);
}

export class NewerSchemaError extends Error {
  constructor(found: number, known: number) {
    super(`the database has schema version ${found}, newer than this server knows (${known}); upgrade the server`);
    this.name = 'NewerSchemaError';
  }
}

/**
 * Brings the schema up to the newest migration, each one in its own transaction. The transaction
 * is IMMEDIATE and re-reads the version inside it, so a server and an admin command starting at
 * the same time never apply the same migration twice. Refuses a database from a newer server.
 */
export function runMigrations(db: Database, migrations: readonly Migration[], now: () => number = Date.now): number {
  checkOrder(migrations);
  const known = migrations.at(-1)?.version ?? 0;
  const found = schemaVersion(db);
  if (found > known) throw new NewerSchemaError(found, known);
  const record = db.prepare('INSERT INTO schema_version (version, name, applied_ms) VALUES (?, ?, ?)');
  for (const migration of migrations) {
    const apply = db.transaction(() => {
      if (schemaVersion(db) >= migration.version) return;
      migration.up(db);
      record.run(migration.version, migration.name, now());
    });
    apply.immediate();
  }
  return schemaVersion(db);
}

function checkOrder(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`migration ${migration.name} has version ${migration.version}, expected ${index + 1}`);
    }
  });
}
