import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { DATABASE_FILE, openDatabase, sqliteDatabase } from '../../server/storage/database';
import { PgDatabase } from '../../server/storage/pg/pg-database';
import type { SqlDatabase } from '../../server/storage/sql-database';
import { parsePgUrl } from '../../server/storage/pg/pg-url';

/**
 * The PostgreSQL run of the suite (vitest.config.ts, project "postgres"): with MAGPIE_TEST_DB set,
 * every test server gets a schema of its own in that database. The schema's name is kept in the
 * server's data folder, so a server restarted on the same data (keepData) finds its database too,
 * and the schema is dropped when the data folder is.
 */
export const TEST_DB_ENV = 'MAGPIE_TEST_DB';

/** The database of the postgres project when MAGPIE_TEST_DB does not name one (vitest.config.ts). */
export const DEFAULT_TEST_DB = 'postgres://postgres@127.0.0.1:5432/test?options=-c%20synchronous_commit%3Doff';

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

/**
 * A connection of the test's own to the database of a server's data folder (the SQLite file, read
 * only, or the folder's PostgreSQL schema), e.g. to look at what a stopped or killed server left.
 */
export function openServerDatabase(dataDir: string): SqlDatabase {
  const url = testDatabaseUrl(dataDir);
  if (url === undefined) return sqliteDatabase(new BetterSqlite3(join(dataDir, DATABASE_FILE), { readonly: true }));
  const location = parsePgUrl(url);
  return new PgDatabase({ conninfo: location.conninfo, schema: location.schema });
}

/**
 * The store a test builds its own server parts on: the folder's PostgreSQL schema in the PostgreSQL
 * run, else a SQLite file in the folder (as the server opens it). Close it, then dropTestSchema.
 */
export function openTestStore(dataDir: string): SqlDatabase {
  const url = testDatabaseUrl(dataDir);
  if (url === undefined) return openDatabase(dataDir, { busyTimeoutMs: 1000 });
  const location = parsePgUrl(url);
  return new PgDatabase({ conninfo: location.conninfo, schema: location.schema });
}

/** `--db URL` for a magpie-server command on the data folder, or nothing on SQLite. */
export function testDatabaseArgs(dataDir: string): string[] {
  const url = testDatabaseUrl(dataDir);
  return url === undefined ? [] : ['--db', url];
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
