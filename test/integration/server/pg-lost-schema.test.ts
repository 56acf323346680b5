import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { createMagpieServer } from '../../../server/server';
import { PgDatabase } from '../../../server/storage/pg/pg-database';
import { parsePgUrl } from '../../../server/storage/pg/pg-url';
import { dropTestSchema, onPostgres, testDatabaseBase, testDatabaseUrl } from '../../support/test-database';

const BIN = join(import.meta.dirname, '../../../bin/magpie-server.js');

async function start(dataDir: string, database: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const args = [BIN, 'start', '--port', '0', '--http-port', '0', '--data', dataDir, '--db', database, '--log-level', 'silent'];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    // it listens: stopped gracefully, so the test reads its exit code
    if (stdout.includes('"listening"')) child.kill('SIGTERM');
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
  return { code: code ?? -1, stdout, stderr };
}

/** Runs SQL on the test database itself (not in a schema of a server). */
function onDatabase<T>(fn: (db: PgDatabase) => T): T {
  const db = new PgDatabase({ conninfo: parsePgUrl(testDatabaseBase()!).conninfo });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

function hasMagpieTables(schema: string): boolean {
  return onDatabase(
    (db) => db.prepare<[string], number>("SELECT 1 FROM information_schema.tables WHERE table_schema = ? AND table_name = 'schema_version'").pluck().get(schema) !== undefined,
  );
}

const refusal = (dataDir: string) =>
  `magpie-server: the data folder ${dataDir} was used by a Magpie server (it holds server.key) but the schema of --db holds no Magpie tables: ` +
  'starting would make a new, empty server. Check --db (its database and ?schema=), or restore the schema from a backup; ' +
  'to start afresh on purpose, move the folder aside and start on a new one';

/** As SQLite refuses a used folder whose magpie.db is gone (docs/server.md "A lost database"). */
describe.runIf(onPostgres())('a used data folder whose PostgreSQL schema is gone', () => {
  let root: string;
  const folders: string[] = [];
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'magpie-pg-lost-'));
  });
  afterAll(async () => {
    for (const folder of folders) dropTestSchema(folder);
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('is refused when the schema was dropped: DATABASE_MISSING in one line, exit 3, no tables made', { timeout: 90_000 }, async () => {
    const dataDir = join(root, 'dropped');
    folders.push(dataDir);
    const database = testDatabaseUrl(dataDir)!;
    const schema = parsePgUrl(database).schema!;
    const first = await start(dataDir, database);
    expect(first.code).toBe(0);
    const key = await readFile(join(dataDir, 'server.key'), 'utf8');
    onDatabase((db) => db.exec(`DROP SCHEMA ${schema} CASCADE`));

    const again = await start(dataDir, database);
    expect(again).toEqual({ code: 3, stdout: '', stderr: `${refusal(dataDir)}\n` });
    expect(hasMagpieTables(schema)).toBe(false);
    // the code SQLite's refusal has
    expect(() => createMagpieServer({ dataDir, database, port: 0 })).toThrow(expect.objectContaining({ code: ErrorCode.DATABASE_MISSING }));
    expect(hasMagpieTables(schema)).toBe(false);
    expect(await readFile(join(dataDir, 'server.key'), 'utf8')).toBe(key);
  });

  it('is refused when --db names another, empty schema', { timeout: 90_000 }, async () => {
    const dataDir = join(root, 'elsewhere');
    folders.push(dataDir);
    expect((await start(dataDir, testDatabaseUrl(dataDir)!)).code).toBe(0);
    // a schema of the run's own (dropped with the run's), that no server has used
    const other = join(root, 'other');
    folders.push(other);
    const otherDatabase = testDatabaseUrl(other)!;

    expect(await start(dataDir, otherDatabase)).toEqual({ code: 3, stdout: '', stderr: `${refusal(dataDir)}\n` });
    expect(hasMagpieTables(parsePgUrl(otherDatabase).schema!)).toBe(false);
    // a new folder on it starts as a new server
    expect((await start(other, otherDatabase)).code).toBe(0);
  });
});
