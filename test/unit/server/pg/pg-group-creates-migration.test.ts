import { afterAll, beforeAll, describe, it } from 'vitest';
import type { PgDatabase } from '../../../../server/storage/pg/pg-database';
import { checkGroupCreatesMigration } from '../group-creates-migration';
import { pgTestSchema } from './pg-test-schema';

describe('group create request ids (migration 15, PostgreSQL)', () => {
  const schema = pgTestSchema();
  let db: PgDatabase;
  beforeAll(() => {
    db = schema.open();
  });
  afterAll(() => {
    db.close();
    schema.drop();
  });

  it('keeps the groups stored before the upgrade, and records a create\'s request id after it', () => {
    checkGroupCreatesMigration(db);
  });
});
