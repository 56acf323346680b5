import type { Migration } from '../migration';

/**
 * Signed REST requests already accepted, until their timestamp leaves the signature window: with
 * several nodes on one PostgreSQL database each node's memory sees only its own requests, so the
 * replay check is made in the shared table too (server/rest/rest-replays.ts). One SQLite server
 * keeps the check in memory and never reads the table; it exists in both stores all the same.
 */
export const migration0011RestReplays: Migration = {
  version: 11,
  name: 'rest-replays',
  up(db) {
    db.exec(`
      CREATE TABLE rest_replays (
        replay_key TEXT PRIMARY KEY,
        expires_ms INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX rest_replays_expiry ON rest_replays (expires_ms);
    `);
  },
  postgres(db) {
    db.exec(`
      CREATE TABLE rest_replays (
        replay_key TEXT PRIMARY KEY,
        expires_ms BIGINT NOT NULL
      );
      CREATE INDEX rest_replays_expiry ON rest_replays (expires_ms);
    `);
  },
};
