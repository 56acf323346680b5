import type { SqlDatabase } from '../storage/sql-database';

/** One change that took access away: a user of an app (a closed sub-account), or a whole app. */
export interface Revocation {
  readonly id: number;
  readonly appId: string;
  /** Undefined: every user of the app. */
  readonly userId: string | undefined;
}

/** The access_revocations table: written with each change, read by the servers that watch it. */
export interface RevocationLog {
  record(appId: string, userId: string | undefined, timeMs: number): void;
  /** Rows after the given id, oldest first. */
  after(id: number): Revocation[];
  /** The newest id, 0 for none. */
  lastId(): number;
}

export function createRevocationLog(db: SqlDatabase): RevocationLog {
  const insert = db.prepare('INSERT INTO access_revocations (app_id, user_id, created_ms) VALUES (?, ?, ?)');
  const after = db.prepare<[number], { revocation_id: number; app_id: string; user_id: string | null }>(
    'SELECT revocation_id, app_id, user_id FROM access_revocations WHERE revocation_id > ? ORDER BY revocation_id LIMIT 1000',
  );
  const last = db.prepare<[], number>('SELECT COALESCE(MAX(revocation_id), 0) FROM access_revocations').pluck();
  return {
    record: (appId, userId, timeMs) => void insert.run(appId, userId ?? null, timeMs),
    after: (id) => after.all(id).map((row) => ({ id: row.revocation_id, appId: row.app_id, userId: row.user_id ?? undefined })),
    lastId: () => last.get() ?? 0,
  };
}
