import type { SqlDatabase } from '../../../server/storage/sql-database';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, sqliteConnection } from '../../../server/storage/database';
import { NewerSchemaError, runMigrations, schemaVersion } from '../../../server/storage/migrate';
import type { Migration } from '../../../server/storage/migration';
import { migrations } from '../../../server/storage/migrations';

describe('server storage', () => {
  let dir: string;
  let db: SqlDatabase;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'magpie-storage-'));
    db = openDatabase(dir, { busyTimeoutMs: 1000 });
  });
  afterEach(async () => {
    if (db.open) db.close();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  const tables = () =>
    (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);

  it('opens in WAL mode with foreign keys on', () => {
    expect(sqliteConnection(db)!.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(sqliteConnection(db)!.pragma('foreign_keys', { simple: true })).toBe(1);
  });

  it('lists migrations numbered 1, 2, 3... in order', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  it('brings a new database to the newest version, and a second run changes nothing', () => {
    expect(schemaVersion(db)).toBe(0);
    const version = runMigrations(db, migrations);
    expect(version).toBe(migrations.length);
    expect(tables()).toEqual(expect.arrayContaining(['accounts', 'apps', 'users', 'sub_accounts', 'schema_version']));
    expect(runMigrations(db, migrations)).toBe(version);
    const applied = db.prepare('SELECT COUNT(*) AS n FROM schema_version').get() as { n: number };
    expect(applied.n).toBe(migrations.length);
  });

  it('refuses a database from a newer server', () => {
    runMigrations(db, migrations);
    db.prepare('INSERT INTO schema_version (version, name, applied_ms) VALUES (?, ?, ?)').run(migrations.length + 1, 'future', 0);
    expect(() => runMigrations(db, migrations)).toThrow(NewerSchemaError);
  });

  it('runs each migration in one transaction: a failing one leaves nothing behind', () => {
    const broken: Migration = {
      version: 2,
      name: 'broken',
      up(d) {
        d.exec('CREATE TABLE half_done (x INTEGER)');
        throw new Error('boom');
      },
    };
    const list = [migrations[0]!, broken];
    expect(() => runMigrations(db, list)).toThrow('boom');
    expect(schemaVersion(db)).toBe(1);
    expect(tables()).not.toContain('half_done');
  });

  it('refuses a list with a gap in its numbers', () => {
    const gap: Migration = { version: 3, name: 'gap', up: () => undefined };
    expect(() => runMigrations(db, [migrations[0]!, gap])).toThrow(/expected 2/);
  });

  it('enforces one friendly name per app and the (app_id, user_id) pair of users', () => {
    runMigrations(db, migrations);
    db.prepare("INSERT INTO accounts (account_sid, auth_token_hash, created_ms) VALUES ('acc', 'h', 0)").run();
    db.prepare("INSERT INTO apps (app_id, account_sid, name, app_token_sealed, state, created_ms) VALUES ('app', 'acc', 'n', 'sealed', 'online', 0)").run();
    const user = db.prepare("INSERT INTO users (app_id, user_id, created_ms, updated_ms) VALUES ('app', ?, 0, 0)");
    user.run('u1');
    expect(() => user.run('u1')).toThrow(/UNIQUE/);
    expect(() => db.prepare("INSERT INTO users (app_id, user_id, created_ms, updated_ms) VALUES ('nope', 'u', 0, 0)").run()).toThrow(
      /FOREIGN KEY/,
    );
  });
});
