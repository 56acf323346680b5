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

const SCHEMA_FILE = '.magpie-test-schema';

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
  const schema = `magpie_t_${randomBytes(8).toString('hex')}`;
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(file, schema);
  return withSchema(base, schema);
}

/** Drops the schema the data folder names (before the folder itself goes). */
export function dropTestSchema(dataDir: string): void {
  const base = testDatabaseBase();
  const file = join(dataDir, SCHEMA_FILE);
  if (base === undefined || !existsSync(file)) return;
  const schema = readFileSync(file, 'utf8').trim();
  const db = new PgDatabase({ conninfo: parsePgUrl(base).conninfo });
  try {
    db.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    db.close();
  }
}
