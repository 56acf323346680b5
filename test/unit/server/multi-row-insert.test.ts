import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, sqliteConnection } from '../../../server/storage/database';
import { createMultiRowInsert, MULTI_ROW_INSERT_ROWS } from '../../../server/storage/multi-row-insert';
import type { SqlDatabase } from '../../../server/storage/sql-database';

describe('a multi-row insert', () => {
  let folder: string | undefined;
  let db: SqlDatabase | undefined;
  afterEach(() => {
    db?.close();
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  });

  function open(): SqlDatabase {
    folder = mkdtempSync(join(tmpdir(), 'magpie-multirow-'));
    db = openDatabase(folder, { busyTimeoutMs: 1000 });
    db.exec('CREATE TABLE rows_test (n INTEGER NOT NULL, label TEXT NOT NULL, data BLOB) STRICT');
    return db;
  }

  it('writes every row of several chunks, in order, with each value in its column', () => {
    const store = open();
    const insert = createMultiRowInsert(store, 'INSERT INTO rows_test (n, label, data) VALUES', 3);
    const rows = Array.from({ length: 2 * MULTI_ROW_INSERT_ROWS + 5 }, (_, n) => [n, `row ${n}`, n % 2 === 0 ? Buffer.from([n & 0xff]) : null]);
    store.transaction(() => insert(rows))();
    const stored = store.prepare<[], { n: number; label: string; data: Buffer | null }>('SELECT n, label, data FROM rows_test ORDER BY rowid').all();
    expect(stored).toEqual(rows.map(([n, label, data]) => ({ n, label, data })));
  });

  it('refuses a row whose length is not the column count, writing nothing of its chunk', () => {
    const store = open();
    const insert = createMultiRowInsert(store, 'INSERT INTO rows_test (n, label, data) VALUES', 3);
    expect(() => insert([[1, 'one', null], [2, 'two']])).toThrow('a row of 2 values for 3 columns');
    expect(store.prepare('SELECT COUNT(*) AS n FROM rows_test').get()).toEqual({ n: 0 });
  });

  it('runs on a server connection whose statement journals stay in memory', () => {
    const store = open();
    expect(sqliteConnection(store)?.pragma('temp_store', { simple: true })).toBe(2);
  });
});
