import type { Migration } from '../migrate';

/**
 * A media message waits in the outbox until its file is uploaded, across restarts: one row per
 * such message, beside its outbox row, removed in the transaction that puts the server's file id
 * into the SEND body. The outbox sends only rows without one (outbox-store.ts).
 *
 * path        the file to upload; owned = 1 when it is the profile's own copy (bytes handed over
 *             by the page), removed once the upload is done or the message withdrawn
 * size        the file's size and mtime_ms when it was picked: a file changed since is not sent
 * upload_url  the tus upload's URL once the server gave it: a restart continues from its offset
 */
export const migration0005: Migration = {
  version: 5,
  name: 'outbox-uploads',
  up(db) {
    db.exec(`
      CREATE TABLE outbox_uploads (
        client_msg_id  TEXT PRIMARY KEY,
        path           TEXT NOT NULL,
        owned          INTEGER NOT NULL DEFAULT 0,
        kind           TEXT NOT NULL CHECK (kind IN ('voice', 'image', 'file')),
        name           TEXT NOT NULL,
        size           INTEGER NOT NULL,
        mtime_ms       INTEGER NOT NULL,
        duration_ms    INTEGER NOT NULL DEFAULT 0,
        upload_url     TEXT,
        created_ms     INTEGER NOT NULL
      ) WITHOUT ROWID;
    `);
  },
};
