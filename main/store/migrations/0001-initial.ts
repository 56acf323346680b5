import type { Migration } from '../migrate';

/**
 * 0001 initial: the client's tables. docs/client-store.md describes them for people.
 *
 * messages       one row per message this user has seen or sent. local_id orders rows as they
 *                were stored; msg_id is the server's id (NULL until the SENT receipt of a message
 *                sent from here); client_msg_id (hex) ties a sent message to its outbox row.
 *                conversation is the peer's user id or the group id. state: sending | sent |
 *                failed | read for outgoing (read = the 1:1 peer has read it), received | read for
 *                incoming. body is JSON (mentions, media, location, custom). revoked, burned and
 *                deleted rows keep their ids but lose text and body, so a replayed sync page cannot
 *                bring them back.
 * message_search FTS5, contentless, rowid = messages.local_id; the text with every CJK character
 *                spaced into its own unicode61 token (search-text.ts), so 1- and 2-character
 *                Chinese queries work as phrases.
 * conversations  one row per chat: unread count, unread @mentions, the last message (local id,
 *                time, preview), how far I have read and how far the 1:1 peer has read, draft,
 *                pinned, muted.
 * users          nicknames and avatars. groups, members: what this user knows of groups.
 * notices        group notices by inbox seq, with handled for applications and invites.
 * outbox         messages written before they are sent: the encoded SEND body, state sending |
 *                sent | failed, the error code, attempts. Survives restarts.
 * sync_state     one row: the newest inbox seq applied here, the newest confirmed to the server,
 *                and the server's inbox head last heard of.
 */
export const migration0001: Migration = {
  version: 1,
  name: 'initial',
  up(db) {
    db.exec(`
      CREATE TABLE messages (
        local_id            INTEGER PRIMARY KEY,
        msg_id              INTEGER UNIQUE,
        client_msg_id       TEXT UNIQUE,
        conversation        TEXT NOT NULL,
        sender              TEXT NOT NULL,
        recipient           TEXT NOT NULL,
        outgoing            INTEGER NOT NULL,
        type                INTEGER NOT NULL,
        text                TEXT NOT NULL DEFAULT '',
        body                TEXT,
        time_ms             INTEGER NOT NULL,
        seq                 INTEGER,
        state               TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'failed', 'received', 'read')),
        mentions_me         INTEGER NOT NULL DEFAULT 0,
        burn_after_reading  INTEGER NOT NULL DEFAULT 0,
        revoked             INTEGER NOT NULL DEFAULT 0,
        revoked_by          TEXT,
        revoked_ms          INTEGER,
        burned              INTEGER NOT NULL DEFAULT 0,
        deleted             INTEGER NOT NULL DEFAULT 0
      );
      -- pages of a conversation, newest first, before a time
      CREATE INDEX messages_by_conversation_time ON messages (conversation, time_ms, local_id);
      -- "read up to": my unread incoming messages, and my sent ones the peer has not read yet
      CREATE INDEX messages_unread ON messages (conversation, msg_id) WHERE state = 'received';
      CREATE INDEX messages_unread_by_peer ON messages (conversation, msg_id) WHERE state = 'sent';

      CREATE VIRTUAL TABLE message_search USING fts5(
        body, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
      );

      CREATE TABLE conversations (
        id                      TEXT PRIMARY KEY,
        kind                    TEXT NOT NULL CHECK (kind IN ('user', 'group')),
        unread_count            INTEGER NOT NULL DEFAULT 0,
        unread_mentions         INTEGER NOT NULL DEFAULT 0,
        last_local_id           INTEGER,
        last_time_ms            INTEGER NOT NULL DEFAULT 0,
        last_preview            TEXT NOT NULL DEFAULT '',
        last_type               INTEGER,
        last_sender             TEXT,
        read_up_to_msg_id       INTEGER NOT NULL DEFAULT 0,
        peer_read_up_to_msg_id  INTEGER NOT NULL DEFAULT 0,
        draft                   TEXT NOT NULL DEFAULT '',
        draft_ms                INTEGER NOT NULL DEFAULT 0,
        pinned                  INTEGER NOT NULL DEFAULT 0,
        muted                   INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;
      CREATE INDEX conversations_by_list_order ON conversations (pinned DESC, last_time_ms DESC);

      CREATE TABLE users (
        user_id     TEXT PRIMARY KEY,
        nickname    TEXT NOT NULL DEFAULT '',
        avatar      TEXT NOT NULL DEFAULT '',
        updated_ms  INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;

      CREATE TABLE groups (
        group_id           TEXT PRIMARY KEY,
        name               TEXT NOT NULL DEFAULT '',
        owner              TEXT NOT NULL DEFAULT '',
        type               INTEGER NOT NULL DEFAULT 0,
        mode               INTEGER NOT NULL DEFAULT 0,
        announcement       TEXT NOT NULL DEFAULT '',
        member_count       INTEGER NOT NULL DEFAULT 0,
        capacity           INTEGER NOT NULL DEFAULT 0,
        created_ms         INTEGER NOT NULL DEFAULT 0,
        my_role            INTEGER NOT NULL DEFAULT 0,
        dnd                INTEGER NOT NULL DEFAULT 0,
        invite_confirm     INTEGER NOT NULL DEFAULT 0,
        dismissed          INTEGER NOT NULL DEFAULT 0,
        my_mute_until_ms   INTEGER NOT NULL DEFAULT 0,
        updated_ms         INTEGER NOT NULL DEFAULT 0
      ) WITHOUT ROWID;

      CREATE TABLE members (
        group_id       TEXT NOT NULL,
        user_id        TEXT NOT NULL,
        role           INTEGER NOT NULL DEFAULT 1,
        card           TEXT NOT NULL DEFAULT '',
        mute_until_ms  INTEGER NOT NULL DEFAULT 0,
        joined_ms      INTEGER NOT NULL DEFAULT 0,
        nickname       TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (group_id, user_id)
      ) WITHOUT ROWID;

      CREATE TABLE notices (
        seq            INTEGER PRIMARY KEY,
        kind           INTEGER NOT NULL,
        group_id       TEXT NOT NULL DEFAULT '',
        actor          TEXT NOT NULL DEFAULT '',
        targets        TEXT NOT NULL DEFAULT '[]',
        text           TEXT NOT NULL DEFAULT '',
        time_ms        INTEGER NOT NULL,
        role           INTEGER NOT NULL DEFAULT 0,
        mute_until_ms  INTEGER NOT NULL DEFAULT 0,
        group_name     TEXT NOT NULL DEFAULT '',
        request_id     INTEGER NOT NULL DEFAULT 0,
        handled        INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX notices_by_group ON notices (group_id, seq);

      CREATE TABLE outbox (
        client_msg_id  TEXT PRIMARY KEY,
        local_id       INTEGER,
        recipient      TEXT NOT NULL,
        body           BLOB NOT NULL,
        state          TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'failed')),
        error_code     INTEGER,
        error_message  TEXT,
        attempts       INTEGER NOT NULL DEFAULT 0,
        created_ms     INTEGER NOT NULL,
        updated_ms     INTEGER NOT NULL,
        msg_id         INTEGER,
        seq            INTEGER
      ) WITHOUT ROWID;
      -- what to send next, oldest first
      CREATE INDEX outbox_by_state ON outbox (state, created_ms);

      CREATE TABLE sync_state (
        id              INTEGER PRIMARY KEY CHECK (id = 1),
        applied_seq     INTEGER NOT NULL DEFAULT 0,
        confirmed_seq   INTEGER NOT NULL DEFAULT 0,
        server_max_seq  INTEGER NOT NULL DEFAULT 0,
        updated_ms      INTEGER NOT NULL DEFAULT 0
      );
      INSERT INTO sync_state (id) VALUES (1);
    `);
  },
};
