import type { Migration } from '../migration';

/**
 * The file service: blobs stored once by sha256, the uploads that name them (one per upload, owned
 * by its sender), and which messages reference which upload (for download rights).
 */
export const migration0006Files: Migration = {
  version: 6,
  name: 'files',
  up(db) {
    db.exec(`
      CREATE TABLE uploads (
        file_id TEXT PRIMARY KEY,
        app_id TEXT NOT NULL,
        owner TEXT NOT NULL,
        -- 1 voice, 2 image, 3 file (MessageType numbers)
        kind INTEGER NOT NULL,
        name TEXT NOT NULL,
        declared_size INTEGER NOT NULL,
        created_ms INTEGER NOT NULL,
        -- set when the last byte has arrived and the bytes passed the checks
        sha256 TEXT,
        mime TEXT,
        width INTEGER NOT NULL DEFAULT 0,
        height INTEGER NOT NULL DEFAULT 0,
        thumbnail_sha256 TEXT,
        completed_ms INTEGER,
        -- the first SEND that named it; never-referenced uploads are swept
        referenced_ms INTEGER
      ) STRICT;
      CREATE INDEX uploads_unreferenced ON uploads(created_ms) WHERE referenced_ms IS NULL;
      CREATE INDEX uploads_by_sha ON uploads(sha256);
      CREATE INDEX uploads_by_thumbnail ON uploads(thumbnail_sha256) WHERE thumbnail_sha256 IS NOT NULL;

      CREATE TABLE file_refs (
        app_id TEXT NOT NULL,
        file_id TEXT NOT NULL,
        msg_id INTEGER NOT NULL,
        PRIMARY KEY (file_id, msg_id)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
