import type { Database } from 'better-sqlite3';

/**
 * One numbered schema step (migrations/NNNN-name.ts). `up` runs inside the transaction the
 * runner opens; it must not open its own.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  up(db: Database): void;
}

/** Where a database keeps the number of the last step applied to it. */
export interface SchemaLedger {
  read(db: Database): number;
  record(db: Database, migration: Migration): void;
}

export interface MigrationOutcome {
  readonly fromVersion: number;
  readonly toVersion: number;
}

/** A database written by a newer program: refused rather than half-understood. */
export class NewerSchemaError extends Error {
  constructor(
    readonly found: number,
    readonly known: number,
    hint: string,
  ) {
    super(`the database has schema version ${found}, newer than this program knows (${known}); ${hint}`);
    this.name = 'NewerSchemaError';
  }
}

/** The version in PRAGMA user_version: nothing but a number, written with the step. */
export const userVersionLedger: SchemaLedger = {
  read: (db) => db.pragma('user_version', { simple: true }) as number,
  record: (db, migration) => {
    db.pragma(`user_version = ${migration.version}`);
  },
};

/** A schema_version table that also records each step's name and when it was applied. */
export function schemaTableLedger(now: () => number = Date.now): SchemaLedger {
  const ensure = (db: Database) =>
    db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_ms INTEGER NOT NULL
    ) STRICT`);
  return {
    read(db) {
      ensure(db);
      const row = db.prepare('SELECT MAX(version) AS version FROM schema_version').get() as { version: number | null };
      return row.version ?? 0;
    },
    record(db, migration) {
      db.prepare('INSERT INTO schema_version (version, name, applied_ms) VALUES (?, ?, ?)').run(migration.version, migration.name, now());
    },
  };
}

export interface RunMigrationsOptions {
  readonly ledger: SchemaLedger;
  /** What the user should do about a database from a newer program, in NewerSchemaError's message. */
  readonly newerHint: string;
}

/**
 * Brings the schema to the newest step, each step in its own IMMEDIATE transaction that re-reads
 * the version inside it: two processes opening the same file at once never apply a step twice,
 * and a crash leaves the database at a step's start or end.
 */
export function runMigrations(db: Database, migrations: readonly Migration[], options: RunMigrationsOptions): MigrationOutcome {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new RangeError(`migration ${migration.name} has version ${migration.version}, expected ${index + 1}`);
    }
  });
  const { ledger } = options;
  const known = migrations.length;
  const fromVersion = ledger.read(db);
  if (fromVersion > known) throw new NewerSchemaError(fromVersion, known, options.newerHint);
  for (const migration of migrations.slice(fromVersion)) {
    const apply = db.transaction(() => {
      if (ledger.read(db) >= migration.version) return;
      migration.up(db);
      ledger.record(db, migration);
    });
    apply.immediate();
  }
  return { fromVersion, toVersion: ledger.read(db) };
}
