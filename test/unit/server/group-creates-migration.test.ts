import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'vitest';
import { openDatabase } from '../../../server/storage/database';
import type { SqlDatabase } from '../../../server/storage/sql-database';
import { checkGroupCreatesMigration } from './group-creates-migration';

describe('group create request ids (migration 15, SQLite)', () => {
  let dir: string;
  let db: SqlDatabase;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'magpie-group-creates-'));
    db = openDatabase(dir, { busyTimeoutMs: 1000 });
  });
  afterEach(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  it('keeps the groups stored before the upgrade, and records a create\'s request id after it', () => {
    checkGroupCreatesMigration(db);
  });
});
