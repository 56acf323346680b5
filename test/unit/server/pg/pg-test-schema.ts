import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { runMigrations } from '../../../../server/storage/migrate';
import { migrations } from '../../../../server/storage/migrations';
import { PgDatabase } from '../../../../server/storage/pg/pg-database';
import { parsePgUrl } from '../../../../server/storage/pg/pg-url';
import { DEFAULT_TEST_DB, SCHEMA_PREFIX, TEST_DB_ENV, TEST_RUN_ENV } from '../../../support/test-database';

/** A schema of its own for one test file of the PostgreSQL store, in the postgres project's database. */
export function pgTestSchema(): { readonly url: string; readonly base: string; open(): PgDatabase; drop(): void } {
  const base = process.env[TEST_DB_ENV] || DEFAULT_TEST_DB;
  const name = `${SCHEMA_PREFIX}${process.env[TEST_RUN_ENV] ?? 'x'}_${randomBytes(6).toString('hex')}`;
  const url = new URL(base);
  url.searchParams.set('schema', name);
  return {
    url: url.toString(),
    base,
    open() {
      const location = parsePgUrl(url.toString());
      return new PgDatabase({ conninfo: location.conninfo, schema: location.schema });
    },
    drop() {
      const db = new PgDatabase({ conninfo: parsePgUrl(base).conninfo });
      try {
        db.exec(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
      } finally {
        db.close();
      }
    },
  };
}

/**
 * For a describe block: the schema opened and migrated before its tests, closed and dropped after
 * them; `opened` gets the connection.
 */
export function migrateForSuite(schema: ReturnType<typeof pgTestSchema>, opened: (db: PgDatabase) => void): void {
  let db: PgDatabase | undefined;
  beforeAll(() => {
    db = schema.open();
    runMigrations(db, migrations);
    opened(db);
  });
  afterAll(() => {
    db?.close();
    schema.drop();
  });
}
