import type { Migration } from '../migration';

/**
 * Large groups by read diffusion (docs/server.md, "Large groups"): a group past the tuning's
 * threshold stores each message once in its own timeline, with the timeline's own gap-free seq,
 * instead of one inbox row per member. Who may read which part of a timeline is kept as ranges
 * per member: a range opens at the timeline's head when the member joins and closes at the head
 * when the member leaves. Triggers on group_members keep the ranges, so every way in or out
 * (create, invite, apply, kick, quit, dismiss, REST) is covered in the same transaction.
 */
export const migration0009GroupTimelines: Migration = {
  version: 9,
  name: 'group-timelines',
  up(db) {
    db.exec(`
      -- a group that has a row here is read-diffused; it stays so
      CREATE TABLE group_timelines (
        app_id TEXT NOT NULL,
        group_id TEXT NOT NULL,
        max_seq INTEGER NOT NULL,
        created_ms INTEGER NOT NULL,
        PRIMARY KEY (app_id, group_id)
      ) STRICT, WITHOUT ROWID;

      -- kind 1: a message (msg_id names it, stored once in messages); 3: a revoke (item holds the Entry)
      CREATE TABLE group_timeline (
        app_id TEXT NOT NULL,
        group_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        kind INTEGER NOT NULL,
        msg_id INTEGER,
        item BLOB,
        PRIMARY KEY (app_id, group_id, seq)
      ) STRICT, WITHOUT ROWID;

      -- a member may read the entries with from_seq < seq <= until_seq (NULL: still a member);
      -- confirmed_seq is what the member's devices confirmed (TIMELINE_CONFIRM)
      CREATE TABLE timeline_access (
        app_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        group_id TEXT NOT NULL,
        from_seq INTEGER NOT NULL,
        until_seq INTEGER,
        PRIMARY KEY (app_id, user_id, group_id, from_seq)
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE timeline_confirms (
        app_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        group_id TEXT NOT NULL,
        confirmed_seq INTEGER NOT NULL,
        PRIMARY KEY (app_id, user_id, group_id)
      ) STRICT, WITHOUT ROWID;

      -- a 2.0 client cannot read timelines: its user's inbox is given copies of what it may read,
      -- up to copied_seq per timeline, when such a client syncs, logs in or is online for a push
      CREATE TABLE timeline_legacy_copies (
        app_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        group_id TEXT NOT NULL,
        copied_seq INTEGER NOT NULL,
        PRIMARY KEY (app_id, user_id, group_id)
      ) STRICT, WITHOUT ROWID;

      -- a join opens a range at the head: the member sees from the join on, not before
      -- (a range left empty by a leave at the same head is replaced, it held nothing)
      CREATE TRIGGER timeline_member_joined AFTER INSERT ON group_members
      BEGIN
        INSERT OR REPLACE INTO timeline_access (app_id, user_id, group_id, from_seq, until_seq)
        SELECT NEW.app_id, NEW.user_id, NEW.group_id, max_seq, NULL FROM group_timelines
        WHERE app_id = NEW.app_id AND group_id = NEW.group_id;
      END;

      -- a leave (quit, kick, dismiss) closes the open range at the head: nothing after it
      CREATE TRIGGER timeline_member_left AFTER DELETE ON group_members
      BEGIN
        UPDATE timeline_access SET until_seq = (
          SELECT max_seq FROM group_timelines WHERE app_id = OLD.app_id AND group_id = OLD.group_id)
        WHERE app_id = OLD.app_id AND user_id = OLD.user_id AND group_id = OLD.group_id AND until_seq IS NULL;
      END;
    `);
  },
};
