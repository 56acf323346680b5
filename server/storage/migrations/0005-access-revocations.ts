import type { Migration } from '../migration';

/**
 * Access taken away: one row per sub-account closed or app taken offline. The admin CLI writes
 * them from its own process; a running server watches the table (server/access/) and ends the
 * sessions the change no longer allows. user_id NULL stands for the whole app.
 */
export const migration0005AccessRevocations: Migration = {
  version: 5,
  name: 'access-revocations',
  up(db) {
    db.exec(`
      CREATE TABLE access_revocations (
        revocation_id INTEGER PRIMARY KEY AUTOINCREMENT,
        app_id TEXT NOT NULL,
        user_id TEXT,
        created_ms INTEGER NOT NULL
      ) STRICT;
    `);
  },
};
