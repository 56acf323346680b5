import type { Migration } from '../migration';

/**
 * Messages and the per-user seq inbox (DESIGN.md "Sync"). A message is stored once; every user who
 * must see it (the peer, every group member, the sender's own devices) gets an inbox row that
 * references it. Notices, revokes, read receipts and burns live in the inbox row itself, as the
 * encoded Entry item.
 */
export const migration0002Messages: Migration = {
  version: 2,
  name: 'messages',
  up(db) {
    db.exec(`
      CREATE TABLE messages (
        -- no AUTOINCREMENT: messages are never deleted, so rowids only grow, and each send
        -- saves a write to sqlite_sequence
        msg_id INTEGER PRIMARY KEY,
        app_id TEXT NOT NULL,
        sender TEXT NOT NULL,
        -- the recipient's user id (1:1) or the group id
        target TEXT NOT NULL,
        is_group INTEGER NOT NULL,
        type INTEGER NOT NULL,
        -- the encoded pb.Message without client_msg_id; emptied by revoke and burn
        content BLOB NOT NULL,
        client_msg_id BLOB NOT NULL,
        time_ms INTEGER NOT NULL,
        -- the message's seq in the sender's own inbox, for the repeated SENT of a resend
        sender_seq INTEGER NOT NULL,
        burn INTEGER NOT NULL DEFAULT 0,
        revoked_ms INTEGER,
        burned_ms INTEGER
      ) STRICT;
      -- a resend with the same client id finds the first copy
      CREATE UNIQUE INDEX messages_by_client_id ON messages(app_id, sender, client_msg_id);
      -- a READ finds the burn-after-reading messages it covers
      CREATE INDEX messages_burn_pending ON messages(app_id, target, sender, msg_id)
        WHERE burn = 1 AND burned_ms IS NULL AND revoked_ms IS NULL;

      CREATE TABLE inbox_heads (
        app_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        max_seq INTEGER NOT NULL,
        confirmed_seq INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (app_id, user_id)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE inbox (
        app_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        -- 1 message, 2 notice, 3 revoked, 4 read receipt, 5 burned
        kind INTEGER NOT NULL,
        msg_id INTEGER,
        -- the sender's own copy carries the client id
        own INTEGER NOT NULL DEFAULT 0,
        -- the encoded Entry (seq 0) for every kind but a message
        item BLOB,
        PRIMARY KEY (app_id, user_id, seq)
      ) STRICT, WITHOUT ROWID;

      -- read-up-to marks, for who-read of group messages and for burn-after-reading
      CREATE TABLE read_marks (
        app_id TEXT NOT NULL,
        conversation TEXT NOT NULL,
        user_id TEXT NOT NULL,
        up_to_msg_id INTEGER NOT NULL,
        time_ms INTEGER NOT NULL,
        PRIMARY KEY (app_id, conversation, user_id)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
