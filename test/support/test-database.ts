import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PgDatabase } from '../../server/storage/pg/pg-database';
import { parsePgUrl } from '../../server/storage/pg/pg-url';

/**
 * The PostgreSQL run of the suite (vitest.config.ts, project "postgres"): with MAGPIE_TEST_DB set,
 * every test server gets a schema of its own in that database. The schema's name is kept in the
 * server's data folder, so a server restarted on the same data (keepData) finds its database too,
 * and the schema is dropped when the data folder is.
 */
export const TEST_DB_ENV = 'MAGPIE_TEST_DB';

/** The database of the postgres project when MAGPIE_TEST_DB does not name one (vitest.config.ts). */
export const DEFAULT_TEST_DB = 'postgres://postgres@127.0.0.1:5432/test';

const SCHEMA_FILE = '.magpie-test-schema';

/** Every test schema's name starts so; then the run's id (test/support/postgres-global-setup.ts). */
export const SCHEMA_PREFIX = 'magpie_t_';

/** Set by the postgres project's global setup: one id per run, whose schemas its teardown drops. */
export const TEST_RUN_ENV = 'MAGPIE_TEST_RUN';

/** The database URL of the PostgreSQL run, or undefined for SQLite. */
export function testDatabaseBase(): string | undefined {
  const url = process.env[TEST_DB_ENV];
  return url === undefined || url === '' ? undefined : url;
}

/** True when this run's servers store in PostgreSQL. */
export function onPostgres(): boolean {
  return testDatabaseBase() !== undefined;
}

function withSchema(base: string, schema: string): string {
  const url = new URL(base);
  url.searchParams.set('schema', schema);
  return url.toString();
}

/** A fresh schema's URL (named in the data folder), or the one the folder already names; undefined on SQLite. */
export function testDatabaseUrl(dataDir: string): string | undefined {
  const base = testDatabaseBase();
  if (base === undefined) return undefined;
  const file = join(dataDir, SCHEMA_FILE);
  if (existsSync(file)) return withSchema(base, readFileSync(file, 'utf8').trim());
  const schema = `${SCHEMA_PREFIX}${process.env[TEST_RUN_ENV] ?? 'x'}_${randomBytes(6).toString('hex')}`;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, schema);
  return withSchema(base, schema);
}

/** Drops the schema the data folder names (before the folder itself goes). */
export function dropTestSchema(dataDir: string): void {
  const base = testDatabaseBase();
  const file = join(dataDir, SCHEMA_FILE);
  if (base === undefined || !existsSync(file)) return;
  dropSchemas(base, [readFileSync(file, 'utf8').trim()]);
}

/** Drops every schema a run left (servers a test did not stop, data folders removed by hand). */
export function dropRunSchemas(base: string, runId: string): number {
  const db = new PgDatabase({ conninfo: parsePgUrl(base).conninfo });
  try {
    const names = db
      .prepare<[string], string>('SELECT nspname FROM pg_namespace WHERE starts_with(nspname, ?)')
      .pluck()
      .all(`${SCHEMA_PREFIX}${runId}_`);
    for (const name of names) db.exec(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
    return names.length;
  } finally {
    db.close();
  }
}

function dropSchemas(base: string, schemas: readonly string[]): void {
  const db = new PgDatabase({ conninfo: parsePgUrl(base).conninfo });
  try {
    for (const schema of schemas) db.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    db.close();
  }
}
