import type { SqlDatabase } from '../storage/sql-database';

/** The kinds of media an upload is for; the numbers are pb.MessageType's. */
export const MediaKind = { VOICE: 1, IMAGE: 2, FILE: 3 } as const;
export type MediaKindValue = (typeof MediaKind)[keyof typeof MediaKind];

export interface NewUpload {
  readonly fileId: string;
  readonly appId: string;
  readonly owner: string;
  readonly kind: MediaKindValue;
  readonly name: string;
  readonly declaredSize: number;
  readonly createdMs: number;
}

export interface Completion {
  readonly sha256: string;
  readonly mime: string;
  readonly width: number;
  readonly height: number;
  readonly thumbnailSha256: string | null;
  readonly completedMs: number;
}

export interface UploadRecord extends NewUpload {
  readonly sha256: string | null;
  readonly mime: string | null;
  readonly width: number;
  readonly height: number;
  readonly thumbnailSha256: string | null;
  readonly completedMs: number | null;
  readonly referencedMs: number | null;
}

export interface UploadRecords {
  insert(upload: NewUpload): void;
  get(fileId: string): UploadRecord | undefined;
  complete(fileId: string, completion: Completion): void;
  delete(fileId: string): void;
  /** Marks the upload referenced (first time only) and records the message that names it. */
  reference(appId: string, fileId: string, msgId: number, timeMs: number): void;
  /** Whether the user may read the upload: its owner, or a participant of a message naming it. */
  mayRead(appId: string, userId: string, fileId: string): boolean;
  /** Uploads created before the cutoff and never referenced by a message. */
  unreferencedBefore(cutoffMs: number, limit: number): UploadRecord[];
  /** Whether any upload still names the blob, as its bytes or its thumbnail. */
  blobInUse(sha256: string): boolean;
  /**
   * One node sweeps at a time (PostgreSQL: a session advisory lock); false when another node is
   * sweeping now. Always true on SQLite.
   */
  lockSweep(): boolean;
  unlockSweep(): void;
  /**
   * Takes the blob's lock across nodes if no other node holds it (PostgreSQL: a session advisory
   * lock on the sha256); false when another does. Always true on SQLite, where one server runs.
   * A try, never a wait: the database calls block the event loop, and the other node may hold the
   * lock across a file's copy.
   */
  tryLockBlob(sha256: string): boolean;
  unlockBlob(sha256: string): void;
}

interface Row {
  file_id: string;
  app_id: string;
  owner: string;
  kind: number;
  name: string;
  declared_size: number;
  created_ms: number;
  sha256: string | null;
  mime: string | null;
  width: number;
  height: number;
  thumbnail_sha256: string | null;
  completed_ms: number | null;
  referenced_ms: number | null;
}

/** The advisory lock the sweeping node holds (PostgreSQL), one per schema: locks are per database. */
const SWEEP_LOCK = "hashtext('magpie upload sweep ' || current_schema())";
/** The advisory lock on one blob (PostgreSQL), per schema; a shared hash only makes two blobs wait for each other. */
const BLOB_LOCK = "hashtext('magpie blob ' || current_schema() || ' ' || ?)";

export function createUploadRecords(db: SqlDatabase): UploadRecords {
  const clustered = db.dialect === 'postgres';
  const trySweepLock = clustered ? db.prepare<[], number>(`SELECT pg_try_advisory_lock(${SWEEP_LOCK})::int`).pluck() : undefined;
  const sweepUnlock = clustered ? db.prepare(`SELECT pg_advisory_unlock(${SWEEP_LOCK})`) : undefined;
  const blobTryLock = clustered ? db.prepare<[string], number>(`SELECT pg_try_advisory_lock(${BLOB_LOCK})::int`).pluck() : undefined;
  const blobUnlock = clustered ? db.prepare<[string]>(`SELECT pg_advisory_unlock(${BLOB_LOCK})`) : undefined;
  const insert = db.prepare(
    'INSERT INTO uploads (file_id, app_id, owner, kind, name, declared_size, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const get = db.prepare<[string], Row>('SELECT * FROM uploads WHERE file_id = ?');
  const complete = db.prepare(
    'UPDATE uploads SET sha256 = ?, mime = ?, width = ?, height = ?, thumbnail_sha256 = ?, completed_ms = ? WHERE file_id = ?',
  );
  const remove = db.prepare('DELETE FROM uploads WHERE file_id = ?');
  const markReferenced = db.prepare('UPDATE uploads SET referenced_ms = ? WHERE file_id = ? AND referenced_ms IS NULL');
  const addRef = db.prepare('INSERT INTO file_refs (app_id, file_id, msg_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
  // group members may read what was posted while they were in the group (joined at or before it)
  const participant = db
    .prepare<{ app: string; user: string; file: string }, number>(
      `SELECT 1 FROM file_refs r JOIN messages m ON m.msg_id = r.msg_id
       WHERE r.file_id = @file AND r.app_id = @app AND m.revoked_ms IS NULL AND m.burned_ms IS NULL
         AND (m.sender = @user
           OR (m.is_group = 0 AND m.target = @user)
           OR (m.is_group = 1 AND EXISTS (
             SELECT 1 FROM group_members g
             WHERE g.app_id = m.app_id AND g.group_id = m.target AND g.user_id = @user AND g.joined_ms <= m.time_ms)))
       LIMIT 1`,
    )
    .pluck();
  const unreferenced = db.prepare<[number, number], Row>(
    'SELECT * FROM uploads WHERE referenced_ms IS NULL AND created_ms < ? ORDER BY created_ms LIMIT ?',
  );
  const blobInUse = db
    .prepare<[string, string], number>(
      'SELECT 1 WHERE EXISTS (SELECT 1 FROM uploads WHERE sha256 = ?) OR EXISTS (SELECT 1 FROM uploads WHERE thumbnail_sha256 = ?)',
    )
    .pluck();

  return {
    insert: (u) => void insert.run(u.fileId, u.appId, u.owner, u.kind, u.name, u.declaredSize, u.createdMs),
    get: (fileId) => fromRow(get.get(fileId)),
    complete: (fileId, c) => void complete.run(c.sha256, c.mime, c.width, c.height, c.thumbnailSha256, c.completedMs, fileId),
    delete: (fileId) => void remove.run(fileId),
    reference(appId, fileId, msgId, timeMs) {
      markReferenced.run(timeMs, fileId);
      addRef.run(appId, fileId, msgId);
    },
    mayRead(appId, userId, fileId) {
      const upload = get.get(fileId);
      if (upload === undefined || upload.app_id !== appId || upload.completed_ms === null) return false;
      if (upload.owner === userId) return true;
      return participant.get({ app: appId, user: userId, file: fileId }) !== undefined;
    },
    unreferencedBefore: (cutoffMs, limit) => unreferenced.all(cutoffMs, limit).map((row) => fromRow(row)!),
    blobInUse: (sha256) => blobInUse.get(sha256, sha256) !== undefined,
    lockSweep: () => trySweepLock === undefined || trySweepLock.get() === 1,
    unlockSweep: () => {
      if (db.open) sweepUnlock?.get();
    },
    tryLockBlob: (sha256) => blobTryLock === undefined || blobTryLock.get(sha256) === 1,
    unlockBlob: (sha256) => {
      if (db.open) blobUnlock?.get(sha256);
    },
  };
}

function fromRow(row: Row | undefined): UploadRecord | undefined {
  if (row === undefined) return undefined;
  return {
    fileId: row.file_id,
    appId: row.app_id,
    owner: row.owner,
    kind: row.kind as MediaKindValue,
    name: row.name,
    declaredSize: row.declared_size,
    createdMs: row.created_ms,
    sha256: row.sha256,
    mime: row.mime,
    width: row.width,
    height: row.height,
    thumbnailSha256: row.thumbnail_sha256,
    completedMs: row.completed_ms,
    referencedMs: row.referenced_ms,
  };
}
