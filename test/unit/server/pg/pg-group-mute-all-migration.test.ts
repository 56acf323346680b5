import { afterAll, beforeAll, describe, it } from 'vitest';
import type { PgDatabase } from '../../../../server/storage/pg/pg-database';
import { checkMuteAllMigration } from '../group-mute-all-migration';
import { pgTestSchema } from './pg-test-schema';

describe('group mute all (migration 14, PostgreSQL)', () => {
  const schema = pgTestSchema();
  let db: PgDatabase;
  beforeAll(() => {
    db = schema.open();
  });
  afterAll(() => {
    db.close();
    schema.drop();
  });

  it('keeps a group stored before the upgrade, with mute all off, and stores the flag after it', () => {
    checkMuteAllMigration(db);
  });
});
