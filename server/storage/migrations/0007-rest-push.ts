import type { Migration } from '../migration';

/**
 * What the REST API and the offline push need (docs/rest.md). The auth token is kept sealed with
 * the server key beside its hash: the REST signature is an MD5 over the token itself, so the server
 * must read it back. Accounts made before this migration have no sealed token until it is rotated.
 * Apps gain a soft delete and push settings; pending pushes and broadcast jobs are durable so both
 * survive a restart.
 */
export const migration0007RestPush: Migration = {
  version: 7,
  name: 'rest-push',
  up(db) {
    db.exec(`
      ALTER TABLE accounts ADD COLUMN auth_token_sealed TEXT;

      ALTER TABLE apps ADD COLUMN deleted_ms INTEGER;
      ALTER TABLE apps ADD COLUMN push_url TEXT;
      ALTER TABLE apps ADD COLUMN push_secret_sealed TEXT;
      ALTER TABLE apps ADD COLUMN push_hide_content INTEGER NOT NULL DEFAULT 0;

      -- REST history reads one conversation or one user's messages by id
      CREATE INDEX messages_by_target ON messages(app_id, target, msg_id);
      CREATE INDEX messages_by_sender ON messages(app_id, sender, msg_id);

      -- one row per recipient: messages that arrive before it is sent are merged into it
      CREATE TABLE push_pending (
        app_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        -- messages not yet notified; 0 once sent (the row then only remembers sent_ms)
        count INTEGER NOT NULL,
        -- the newest message's inbox seq: a user who confirmed it has seen everything
        max_seq INTEGER NOT NULL,
        sender TEXT NOT NULL,
        sender_nickname TEXT NOT NULL,
        conversation TEXT NOT NULL,
        preview TEXT,
        mention INTEGER NOT NULL DEFAULT 0,
        due_ms INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        sent_ms INTEGER,
        PRIMARY KEY (app_id, user_id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX push_pending_due ON push_pending(due_ms) WHERE count > 0;

      CREATE TABLE broadcast_jobs (
        job_id TEXT PRIMARY KEY,
        app_id TEXT NOT NULL,
        sender TEXT NOT NULL,
        -- the JSON message as the REST request gave it
        message TEXT NOT NULL,
        -- a JSON array of user ids, or NULL for every user of the app
        recipients TEXT,
        state TEXT NOT NULL CHECK (state IN ('running', 'done', 'failed')),
        total INTEGER NOT NULL,
        done INTEGER NOT NULL DEFAULT 0,
        -- recipients the send refused (e.g. a group id or a closed rule); counted in done too
        failed INTEGER NOT NULL DEFAULT 0,
        -- where to go on after a restart: the last user id handled (all users, by id)
        cursor TEXT NOT NULL DEFAULT '',
        error TEXT,
        created_ms INTEGER NOT NULL,
        finished_ms INTEGER
      ) STRICT;
    `);
  },
};
