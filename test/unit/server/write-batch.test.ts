import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteDatabase } from '../../../server/storage/database';
import { createWriteBatch, type WriteBatch } from '../../../server/storage/write-batch';

let dir: string;
let db: Database;
let reader: Database;
let batch: WriteBatch;
let turnEnds: (() => void)[];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'magpie-write-batch-'));
  db = new BetterSqlite3(join(dir, 'test.db'));
  db.pragma('journal_mode = WAL');
  db.exec('CREATE TABLE t (n INTEGER PRIMARY KEY)');
  reader = new BetterSqlite3(join(dir, 'test.db'), { readonly: true });
  turnEnds = [];
  batch = createWriteBatch(sqliteDatabase(db), { schedule: (run) => turnEnds.push(run) });
});
afterEach(() => {
  reader.close();
  db.close();
  rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
});

const insert = (n: number) => () => db.prepare('INSERT INTO t (n) VALUES (?)').run(n).changes;
const rows = (): number[] => db.prepare('SELECT n FROM t ORDER BY n').pluck().all() as number[];
const endTurn = () => turnEnds.splice(0).forEach((run) => run());

describe('the write batch (group commit)', () => {
  it('runs every write of a turn in one transaction at its end, then each after-step in order', async () => {
    const order: string[] = [];
    const results = [1, 2, 3].map((n) => batch.run(insert(n), () => (order.push(`after ${n}`), n * 10)));
    // a second connection sees nothing until the whole batch commits
    const seenByReader: number[] = [];
    void batch.run(() => seenByReader.push(reader.prepare('SELECT COUNT(*) FROM t').pluck().get() as number), () => undefined);
    expect(rows()).toEqual([]);
    expect(batch.pending).toBe(4);
    expect(turnEnds).toHaveLength(1);
    endTurn();
    expect(await Promise.all(results)).toEqual([10, 20, 30]);
    expect(order).toEqual(['after 1', 'after 2', 'after 3']);
    expect(seenByReader).toEqual([0]);
    expect(reader.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(3);
    expect(batch.pending).toBe(0);
  });

  it('rolls back a write that throws on its own; the others still commit', async () => {
    const first = batch.run(insert(1), () => 'one');
    const failing = batch.run(() => {
      insert(2)();
      throw new Error('refused');
    }, () => 'two');
    const duplicate = batch.run(insert(1), () => 'dup');
    const third = batch.run(insert(3), () => 'three');
    endTurn();
    await expect(first).resolves.toBe('one');
    await expect(failing).rejects.toThrow('refused');
    await expect(duplicate).rejects.toThrow(/UNIQUE/);
    await expect(third).resolves.toBe('three');
    expect(rows()).toEqual([1, 3]);
  });

  it('lets a later write see an earlier one of the same batch', async () => {
    void batch.run(insert(5), () => undefined);
    const seen = batch.run(() => rows().length, (n) => n);
    endTurn();
    expect(await seen).toBe(1);
  });

  it('rejects every write of the batch and stores none when the commit fails', async () => {
    db.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)');
    db.pragma('foreign_keys = ON');
    const fine = batch.run(insert(1), () => 'fine');
    // a deferred foreign key is checked at COMMIT: the whole transaction fails there
    const orphan = batch.run(() => db.prepare('INSERT INTO child (p) VALUES (42)').run(), () => 'orphan');
    endTurn();
    await expect(fine).rejects.toThrow(/FOREIGN KEY/);
    await expect(orphan).rejects.toThrow(/FOREIGN KEY/);
    expect(rows()).toEqual([]);
  });

  it('fails the whole batch, storing none of it, when an error ends the transaction itself', async () => {
    const first = batch.run(insert(1), () => 'first');
    // stands for SQLite ending the whole transaction on a full disk or an I/O error
    const fatal = batch.run(() => {
      db.exec('ROLLBACK');
      throw new Error('disk full');
    }, () => 'fatal');
    const last = batch.run(insert(3), () => 'last');
    endTurn();
    await expect(first).rejects.toThrow('disk full');
    await expect(fatal).rejects.toThrow('disk full');
    await expect(last).rejects.toThrow('disk full');
    expect(rows()).toEqual([]);
    expect(db.inTransaction).toBe(false);
  });

  it('rejects a write whose after-step throws, without touching the others', async () => {
    const bad = batch.run(insert(1), () => {
      throw new Error('after failed');
    });
    const good = batch.run(insert(2), () => 'ok');
    endTurn();
    await expect(bad).rejects.toThrow('after failed');
    await expect(good).resolves.toBe('ok');
    expect(rows()).toEqual([1, 2]);
  });

  it('flush() commits at once what waits, and a new write schedules a new turn', async () => {
    const early = batch.run(insert(1), () => 'early');
    batch.flush();
    await expect(early).resolves.toBe('early');
    expect(rows()).toEqual([1]);
    endTurn();
    void batch.run(insert(2), () => undefined);
    expect(turnEnds).toHaveLength(1);
  });
});
