import type { Migration } from '../migration';

/**
 * Work that several server nodes on one PostgreSQL database must not do twice: a pending push is
 * claimed by the node that sends it (until claimed_until_ms; a node that died lets it go when the
 * claim runs out), and a broadcast job by the node that runs it (docs/server.md "PostgreSQL"). One
 * SQLite server never reads the claims; the columns are the same in both stores.
 */
export const migration0010ClusterClaims: Migration = {
  version: 10,
  name: 'cluster-claims',
  up(db) {
    db.exec(`
      ALTER TABLE push_pending ADD COLUMN claimed_until_ms INTEGER;
      ALTER TABLE broadcast_jobs ADD COLUMN claimed_until_ms INTEGER;
    `);
  },
  postgres(db) {
    db.exec(`
      ALTER TABLE push_pending ADD COLUMN claimed_until_ms BIGINT;
      ALTER TABLE broadcast_jobs ADD COLUMN claimed_until_ms BIGINT;
    `);
  },
};
