import type { Database, Statement } from 'better-sqlite3';
import { type pb } from '../../protocol';

export interface GroupRecord {
  readonly groupId: string;
  readonly name: string;
  readonly owner: string;
  readonly type: pb.GroupType;
  readonly mode: pb.GroupMode;
  readonly announcement: string;
  readonly memberCount: number;
  readonly capacity: number;
  readonly createdMs: number;
  readonly myRole: pb.GroupRole;
  readonly dnd: boolean;
  readonly inviteConfirm: boolean;
  readonly dismissed: boolean;
  readonly myMuteUntilMs: number;
  /** Mute all: only the owner and admins may send to the group. */
  readonly muteAll: boolean;
}

export interface MemberRecord {
  readonly groupId: string;
  readonly userId: string;
  readonly role: pb.GroupRole;
  readonly card: string;
  readonly muteUntilMs: number;
  readonly joinedMs: number;
  readonly nickname: string;
}

/** The store's form of a wire GroupInfo (uint64 to number). */
export function groupFromWire(info: pb.GroupInfo): GroupRecord {
  return {
    groupId: info.groupId,
    name: info.name,
    owner: info.owner,
    type: info.type,
    mode: info.mode,
    announcement: info.announcement,
    memberCount: info.memberCount,
    capacity: info.capacity,
    createdMs: Number(info.createdMs),
    myRole: info.myRole,
    dnd: info.dnd,
    inviteConfirm: info.inviteConfirm,
    dismissed: info.dismissed,
    myMuteUntilMs: Number(info.myMuteUntilMs),
    muteAll: info.muteAll,
  };
}

export function memberFromWire(groupId: string, member: pb.GroupMember): MemberRecord {
  return {
    groupId,
    userId: member.userId,
    role: member.role,
    card: member.card,
    muteUntilMs: Number(member.muteUntilMs),
    joinedMs: Number(member.joinedMs),
    nickname: member.nickname,
  };
}

interface GroupRow {
  group_id: string;
  name: string;
  owner: string;
  type: number;
  mode: number;
  announcement: string;
  member_count: number;
  capacity: number;
  created_ms: number;
  my_role: number;
  dnd: number;
  invite_confirm: number;
  dismissed: number;
  my_mute_until_ms: number;
  mute_all: number;
}

interface MemberRow {
  group_id: string;
  user_id: string;
  role: number;
  card: string;
  mute_until_ms: number;
  joined_ms: number;
  nickname: string;
}

const groupFromRow = (r: GroupRow): GroupRecord => ({
  groupId: r.group_id,
  name: r.name,
  owner: r.owner,
  type: r.type,
  mode: r.mode,
  announcement: r.announcement,
  memberCount: r.member_count,
  capacity: r.capacity,
  createdMs: r.created_ms,
  myRole: r.my_role,
  dnd: r.dnd === 1,
  inviteConfirm: r.invite_confirm === 1,
  dismissed: r.dismissed === 1,
  myMuteUntilMs: r.my_mute_until_ms,
  muteAll: r.mute_all === 1,
});

const memberFromRow = (r: MemberRow): MemberRecord => ({
  groupId: r.group_id,
  userId: r.user_id,
  role: r.role,
  card: r.card,
  muteUntilMs: r.mute_until_ms,
  joinedMs: r.joined_ms,
  nickname: r.nickname,
});

/** What this user knows of groups and their members, readable offline. */
export interface GroupStore {
  upsertGroup(group: GroupRecord, nowMs: number): void;
  getGroup(groupId: string): GroupRecord | undefined;
  /** Groups I am in (myRole not NONE) and not dismissed, by name. */
  listMine(): GroupRecord[];
  /** Changes some fields of a known group; unknown groups are created with defaults. */
  patchGroup(groupId: string, patch: Partial<Omit<GroupRecord, 'groupId'>>, nowMs: number): void;
  upsertMembers(members: readonly MemberRecord[]): void;
  /** Replaces the whole member list of a group. */
  replaceMembers(groupId: string, members: readonly MemberRecord[]): void;
  removeMembers(groupId: string, userIds: readonly string[]): void;
  patchMember(groupId: string, userId: string, patch: Partial<Pick<MemberRecord, 'role' | 'card' | 'muteUntilMs'>>): void;
  getMember(groupId: string, userId: string): MemberRecord | undefined;
  /** A page of members, owner and admins first, then by join time. */
  listMembers(groupId: string, offset?: number, limit?: number): MemberRecord[];
}

const GROUP_COLUMNS: Record<keyof Omit<GroupRecord, 'groupId'>, string> = {
  name: 'name',
  owner: 'owner',
  type: 'type',
  mode: 'mode',
  announcement: 'announcement',
  memberCount: 'member_count',
  capacity: 'capacity',
  createdMs: 'created_ms',
  myRole: 'my_role',
  dnd: 'dnd',
  inviteConfirm: 'invite_confirm',
  dismissed: 'dismissed',
  myMuteUntilMs: 'my_mute_until_ms',
  muteAll: 'mute_all',
};

const toSql = (value: unknown): unknown => (typeof value === 'boolean' ? (value ? 1 : 0) : value);

export function createGroupStore(db: Database): GroupStore {
  const upsertGroupStmt = db.prepare(`
    INSERT OR REPLACE INTO groups (group_id, name, owner, type, mode, announcement, member_count, capacity, created_ms,
      my_role, dnd, invite_confirm, dismissed, my_mute_until_ms, mute_all, updated_ms)
    VALUES (@groupId, @name, @owner, @type, @mode, @announcement, @memberCount, @capacity, @createdMs,
      @myRole, @dnd, @inviteConfirm, @dismissed, @myMuteUntilMs, @muteAll, @updatedMs)`);
  const ensureGroup = db.prepare('INSERT OR IGNORE INTO groups (group_id) VALUES (?)');
  const groupById = db.prepare<[string], GroupRow>('SELECT * FROM groups WHERE group_id = ?');
  const mine = db.prepare<[], GroupRow>('SELECT * FROM groups WHERE my_role <> 0 AND dismissed = 0 ORDER BY name');
  const upsertMember = db.prepare(`
    INSERT OR REPLACE INTO members (group_id, user_id, role, card, mute_until_ms, joined_ms, nickname)
    VALUES (@groupId, @userId, @role, @card, @muteUntilMs, @joinedMs, @nickname)`);
  const removeMember = db.prepare('DELETE FROM members WHERE group_id = ? AND user_id = ?');
  const removeAll = db.prepare('DELETE FROM members WHERE group_id = ?');
  const memberById = db.prepare<[string, string], MemberRow>('SELECT * FROM members WHERE group_id = ? AND user_id = ?');
  const membersPage = db.prepare<[string, number, number], MemberRow>(
    'SELECT * FROM members WHERE group_id = ? ORDER BY role DESC, joined_ms, user_id LIMIT ? OFFSET ?',
  );
  // patch statements are built per set of columns and kept
  const patchStatements = new Map<string, Statement<unknown[]>>();
  const patchStatement = (sql: string): Statement<unknown[]> => {
    let stmt = patchStatements.get(sql);
    if (!stmt) patchStatements.set(sql, (stmt = db.prepare<unknown[]>(sql)));
    return stmt;
  };

  const upsertMembers = db.transaction((members: readonly MemberRecord[]) => {
    for (const member of members) upsertMember.run(member);
  });

  return {
    upsertGroup(group, nowMs) {
      upsertGroupStmt.run({
        ...group,
        dnd: group.dnd ? 1 : 0,
        inviteConfirm: group.inviteConfirm ? 1 : 0,
        dismissed: group.dismissed ? 1 : 0,
        muteAll: group.muteAll ? 1 : 0,
        updatedMs: nowMs,
      });
    },
    getGroup(groupId) {
      const row = groupById.get(groupId);
      return row ? groupFromRow(row) : undefined;
    },
    listMine: () => mine.all().map(groupFromRow),
    patchGroup(groupId, patch, nowMs) {
      const keys = (Object.keys(patch) as (keyof typeof GROUP_COLUMNS)[]).filter((k) => k in GROUP_COLUMNS).sort();
      ensureGroup.run(groupId);
      const sets = [...keys.map((k) => `${GROUP_COLUMNS[k]} = ?`), 'updated_ms = ?'].join(', ');
      patchStatement(`UPDATE groups SET ${sets} WHERE group_id = ?`).run(
        ...keys.map((k) => toSql(patch[k])),
        nowMs,
        groupId,
      );
    },
    upsertMembers: (members) => upsertMembers(members),
    replaceMembers: db.transaction((groupId: string, members: readonly MemberRecord[]) => {
      removeAll.run(groupId);
      upsertMembers(members);
    }),
    removeMembers(groupId, userIds) {
      for (const userId of userIds) removeMember.run(groupId, userId);
    },
    patchMember(groupId, userId, patch) {
      const columns = { role: 'role', card: 'card', muteUntilMs: 'mute_until_ms' } as const;
      const keys = (Object.keys(patch) as (keyof typeof columns)[]).filter((k) => k in columns).sort();
      if (keys.length === 0) return;
      patchStatement(`UPDATE members SET ${keys.map((k) => `${columns[k]} = ?`).join(', ')} WHERE group_id = ? AND user_id = ?`).run(
        ...keys.map((k) => patch[k]),
        groupId,
        userId,
      );
    },
    getMember(groupId, userId) {
      const row = memberById.get(groupId, userId);
      return row ? memberFromRow(row) : undefined;
    },
    listMembers: (groupId, offset = 0, limit = 100) => membersPage.all(groupId, limit, offset).map(memberFromRow),
  };
}
