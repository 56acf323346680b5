import type { Database } from 'better-sqlite3';

export interface UserProfile {
  readonly userId: string;
  readonly nickname: string;
  readonly avatar: string;
  readonly updatedMs: number;
}

interface UserRow {
  user_id: string;
  nickname: string;
  avatar: string;
  updated_ms: number;
}

const fromRow = (row: UserRow): UserProfile => ({
  userId: row.user_id,
  nickname: row.nickname,
  avatar: row.avatar,
  updatedMs: row.updated_ms,
});

/** Nicknames and avatars of the users this client has met, readable offline. */
export interface UserStore {
  /** Stores profiles; an older profile (by updatedMs) never replaces a newer one. */
  upsert(profiles: readonly UserProfile[]): void;
  get(userId: string): UserProfile | undefined;
  getMany(userIds: readonly string[]): UserProfile[];
}

export function createUserStore(db: Database): UserStore {
  const upsertStmt = db.prepare(`
    INSERT INTO users (user_id, nickname, avatar, updated_ms) VALUES (@userId, @nickname, @avatar, @updatedMs)
    ON CONFLICT (user_id) DO UPDATE SET nickname = excluded.nickname, avatar = excluded.avatar,
      updated_ms = excluded.updated_ms
    WHERE excluded.updated_ms >= users.updated_ms`);
  const byId = db.prepare<[string], UserRow>('SELECT * FROM users WHERE user_id = ?');
  const upsertAll = db.transaction((profiles: readonly UserProfile[]) => {
    for (const profile of profiles) upsertStmt.run(profile);
  });
  return {
    upsert: (profiles) => upsertAll(profiles),
    get(userId) {
      const row = byId.get(userId);
      return row ? fromRow(row) : undefined;
    },
    getMany(userIds) {
      return userIds.flatMap((id) => {
        const row = byId.get(id);
        return row ? [fromRow(row)] : [];
      });
    },
  };
}
