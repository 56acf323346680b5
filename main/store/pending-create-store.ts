import type { Database } from 'better-sqlite3';

/** The request id a group create was sent with, and when it was first asked. */
export interface PendingCreate {
  readonly requestId: Uint8Array;
  readonly sinceMs: number;
}

/**
 * Group creates not answered yet (migration 0012), by the settings they asked for: written before
 * the create goes out, removed once it is answered, so a create asked again after a restart (a
 * crash between the send and the answer) carries the id the server knows it by.
 */
export interface PendingCreateStore {
  get(settingsKey: string): PendingCreate | undefined;
  /** Keeps the id for these settings, and at most maxKept creates (the oldest go first): one transaction. */
  keep(settingsKey: string, create: PendingCreate, maxKept: number): void;
  /** Forgets creates first asked before sinceMs, or after untilMs (a clock set back past them). */
  forgetOutside(sinceMs: number, untilMs: number): void;
  /** The create was answered: a create of the same settings is a new one. */
  forget(settingsKey: string): void;
}

export function createPendingCreateStore(db: Database): PendingCreateStore {
  const get = db.prepare<[string], { request_id: Buffer; since_ms: number }>('SELECT request_id, since_ms FROM group_creates_pending WHERE settings_key = ?');
  const put = db.prepare('INSERT OR REPLACE INTO group_creates_pending (settings_key, request_id, since_ms) VALUES (?, ?, ?)');
  // at most 32 rows: no index is worth having for the oldest
  const trim = db.prepare(`
    DELETE FROM group_creates_pending WHERE settings_key NOT IN
      (SELECT settings_key FROM group_creates_pending ORDER BY since_ms DESC, settings_key LIMIT ?)`);
  const outside = db.prepare('DELETE FROM group_creates_pending WHERE since_ms < ? OR since_ms > ?');
  const forget = db.prepare('DELETE FROM group_creates_pending WHERE settings_key = ?');
  const keep = db.transaction((settingsKey: string, create: PendingCreate, maxKept: number) => {
    put.run(settingsKey, Buffer.from(create.requestId), create.sinceMs);
    trim.run(maxKept);
  });
  return {
    get(settingsKey) {
      const row = get.get(settingsKey);
      return row === undefined ? undefined : { requestId: new Uint8Array(row.request_id), sinceMs: row.since_ms };
    },
    keep: (settingsKey, create, maxKept) => keep(settingsKey, create, maxKept),
    forgetOutside: (sinceMs, untilMs) => void outside.run(sinceMs, untilMs),
    forget: (settingsKey) => void forget.run(settingsKey),
  };
}
