import type { SqlDatabase } from '../storage/sql-database';
import { ErrorCode, MagpieError, pb } from '../../protocol';

/**
 * The read side of groups that chat needs as well: a group, one membership, the member ids.
 * Chat imports this file only, never the group service, so neither depends on the other.
 */

export interface GroupRecord {
  readonly groupId: string;
  readonly name: string;
  readonly owner: string;
  readonly type: pb.GroupType;
  readonly mode: pb.GroupMode;
  readonly announcement: string;
  readonly inviteConfirm: boolean;
  readonly capacity: number;
  readonly memberCount: number;
  readonly createdMs: number;
  readonly dismissedMs: number | null;
  /** Mute all: only the owner and admins may send while it is on. */
  readonly muteAll: boolean;
}

export interface MemberRecord {
  readonly userId: string;
  readonly role: pb.GroupRole;
  readonly card: string;
  readonly muteUntilMs: number;
  readonly dnd: boolean;
  readonly joinedMs: number;
}

export interface MembershipStore {
  group(appId: string, groupId: string): GroupRecord | undefined;
  member(appId: string, groupId: string, userId: string): MemberRecord | undefined;
  memberIds(appId: string, groupId: string): string[];
  /** The owner and the admins: who decides applications. */
  managerIds(appId: string, groupId: string): string[];
  /** The group, or GROUP_NOT_FOUND / GROUP_DISMISSED. */
  requireActiveGroup(appId: string, groupId: string): GroupRecord;
  /** The caller's membership, or NOT_GROUP_MEMBER. */
  requireMember(appId: string, groupId: string, userId: string): MemberRecord;
}

/**
 * The group's hierarchy, one rule for every act of a manager on someone else (kick, mute, another's
 * card, revoking another's message): the owner acts on admins and plain members, an admin on plain
 * members only, a plain member on no one. Their role is their role now; one no longer (or never)
 * in the group is NONE and ranks below everyone.
 */
export function outranks(mine: pb.GroupRole, theirs: pb.GroupRole): boolean {
  return mine >= pb.GroupRole.ADMIN && theirs < mine;
}

interface GroupRow {
  group_id: string;
  name: string;
  owner: string;
  type: number;
  mode: number;
  announcement: string;
  invite_confirm: number;
  capacity: number;
  member_count: number;
  created_ms: number;
  dismissed_ms: number | null;
  mute_all: number;
}

interface MemberRow {
  user_id: string;
  role: number;
  card: string;
  mute_until_ms: number;
  dnd: number;
  joined_ms: number;
}

export const GROUP_COLUMNS =
  'group_id, name, owner, type, mode, announcement, invite_confirm, capacity, member_count, created_ms, dismissed_ms, mute_all';

export function groupFromRow(row: GroupRow): GroupRecord {
  return {
    groupId: row.group_id,
    name: row.name,
    owner: row.owner,
    type: row.type as pb.GroupType,
    mode: row.mode as pb.GroupMode,
    announcement: row.announcement,
    inviteConfirm: row.invite_confirm === 1,
    capacity: row.capacity,
    memberCount: row.member_count,
    createdMs: row.created_ms,
    dismissedMs: row.dismissed_ms,
    muteAll: row.mute_all === 1,
  };
}

export type { GroupRow };

export function createMembershipStore(db: SqlDatabase): MembershipStore {
  const selectGroup = db.prepare<[string, string], GroupRow>(
    `SELECT ${GROUP_COLUMNS} FROM groups WHERE app_id = ? AND group_id = ?`,
  );
  const selectMember = db.prepare<[string, string, string], MemberRow>(
    `SELECT user_id, role, card, mute_until_ms, dnd, joined_ms FROM group_members
     WHERE app_id = ? AND group_id = ? AND user_id = ?`,
  );
  const selectMemberIds = db
    .prepare<[string, string], string>('SELECT user_id FROM group_members WHERE app_id = ? AND group_id = ?')
    .pluck();
  const selectManagerIds = db
    .prepare<[string, string, number], string>(
      'SELECT user_id FROM group_members WHERE app_id = ? AND group_id = ? AND role >= ?',
    )
    .pluck();

  function group(appId: string, groupId: string): GroupRecord | undefined {
    const row = selectGroup.get(appId, groupId);
    return row === undefined ? undefined : groupFromRow(row);
  }

  function member(appId: string, groupId: string, userId: string): MemberRecord | undefined {
    const row = selectMember.get(appId, groupId, userId);
    if (row === undefined) return undefined;
    return {
      userId: row.user_id,
      role: row.role as pb.GroupRole,
      card: row.card,
      muteUntilMs: row.mute_until_ms,
      dnd: row.dnd === 1,
      joinedMs: row.joined_ms,
    };
  }

  return {
    group,
    member,
    memberIds: (appId, groupId) => selectMemberIds.all(appId, groupId),
    managerIds: (appId, groupId) => selectManagerIds.all(appId, groupId, pb.GroupRole.ADMIN),
    requireActiveGroup(appId, groupId) {
      const found = group(appId, groupId);
      if (found === undefined) throw new MagpieError(ErrorCode.GROUP_NOT_FOUND, `no group ${groupId}`);
      if (found.dismissedMs !== null) throw new MagpieError(ErrorCode.GROUP_DISMISSED, `group ${groupId} was dismissed`);
      return found;
    },
    requireMember(appId, groupId, userId) {
      const found = member(appId, groupId, userId);
      if (found === undefined) throw new MagpieError(ErrorCode.NOT_GROUP_MEMBER, `${userId} is not a member of ${groupId}`);
      return found;
    },
  };
}
