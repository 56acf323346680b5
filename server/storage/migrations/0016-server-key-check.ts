import type { Migration } from '../migration';

/**
 * server_key_check: one value sealed with the data folder's server key, written by the first
 * server or admin command to open the database (server/identity/server-key-check.ts). Before it, a
 * database that held no app or auth token yet had nothing to check a key against: two cluster
 * nodes started on folders with different keys both began, and each sealed tokens the other could
 * not read.
 */
export const migration0016ServerKeyCheck: Migration = {
  version: 16,
  name: 'server-key-check',
  up(db) {
    db.exec(`
      CREATE TABLE server_key_check (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        sealed TEXT NOT NULL
      ) STRICT;
    `);
  },
  postgres(db) {
    db.exec(`
      CREATE TABLE server_key_check (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        sealed TEXT NOT NULL
      );
    `);
  },
};
