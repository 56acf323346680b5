import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'vitest';
import { openDatabase } from '../../../server/storage/database';
import type { SqlDatabase } from '../../../server/storage/sql-database';
import { checkMuteAllMigration } from './group-mute-all-migration';

describe('group mute all (migration 14, SQLite)', () => {
  let dir: string;
  let db: SqlDatabase;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'magpie-mute-all-'));
    db = openDatabase(dir, { busyTimeoutMs: 1000 });
  });
  afterEach(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('keeps a group stored before the upgrade, with mute all off, and stores the flag after it', () => {
    checkMuteAllMigration(db);
  });
});
