import type { SqlDatabase } from '../storage/sql-database';
import type { Clock } from '../../protocol';

export interface UserRow {
  readonly appId: string;
  readonly userId: string;
  readonly nickname: string;
  readonly avatar: string;
  readonly createdMs: number;
  readonly updatedMs: number;
}

/** The users table: everyone who can appear in an app, known by the (appId, userId) pair. */
export interface UserStore {
  /** Creates the user's row if it is missing; never changes an existing one. */
  ensureUser(appId: string, userId: string, nickname?: string): void;
  getUser(appId: string, userId: string): UserRow | undefined;
  getUsers(appId: string, userIds: readonly string[]): UserRow[];
  updateProfile(appId: string, userId: string, change: { nickname?: string; avatar?: string }): UserRow;
}

interface RawUser {
  app_id: string;
  user_id: string;
  nickname: string;
  avatar: string;
  created_ms: number;
  updated_ms: number;
}

function toUser(row: RawUser): UserRow {
  return {
    appId: row.app_id,
    userId: row.user_id,
    nickname: row.nickname,
    avatar: row.avatar,
    createdMs: row.created_ms,
    updatedMs: row.updated_ms,
  };
}

export function createUserStore(deps: { db: SqlDatabase; clock: Clock }): UserStore {
  const { db, clock } = deps;
  const insert = db.prepare(
    `INSERT INTO users (app_id, user_id, nickname, avatar, created_ms, updated_ms)
     VALUES (?, ?, ?, '', ?, ?) ON CONFLICT (app_id, user_id) DO NOTHING`,
  );
  const select = db.prepare('SELECT * FROM users WHERE app_id = ? AND user_id = ?');
  const update = db.prepare(
    `UPDATE users SET nickname = COALESCE(?, nickname), avatar = COALESCE(?, avatar), updated_ms = ?
     WHERE app_id = ? AND user_id = ?`,
  );

  // users are never deleted, so a row known to be committed needs no insert (every send asks);
  // inside a transaction the row may still be rolled back, so only committed ones are remembered
  const committedUsers = new Set<string>();

  const store: UserStore = {
    ensureUser(appId, userId, nickname = '') {
      const key = `${appId}\u0000${userId}`;
      if (committedUsers.has(key)) return;
      const now = clock.now();
      insert.run(appId, userId, nickname, now, now);
      if (db.inTransaction) return;
      if (committedUsers.size >= 100_000) committedUsers.clear();
      committedUsers.add(key);
    },
    getUser(appId, userId) {
      const row = select.get(appId, userId) as RawUser | undefined;
      return row && toUser(row);
    },
    getUsers(appId, userIds) {
      const out: UserRow[] = [];
      for (const userId of new Set(userIds)) {
        const row = store.getUser(appId, userId);
        if (row) out.push(row);
      }
      return out;
    },
    updateProfile(appId, userId, change) {
      const apply = db.transaction(() => {
        store.ensureUser(appId, userId);
        update.run(change.nickname ?? null, change.avatar ?? null, clock.now(), appId, userId);
        return store.getUser(appId, userId)!;
      });
      return apply();
    },
  };
  return store;
}
