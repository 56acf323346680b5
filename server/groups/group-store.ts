import { likeIgnoringCase, type SqlDatabase } from '../storage/sql-database';
import { type pb } from '../../protocol';
import { GROUP_COLUMNS, groupFromRow, type GroupRecord, type GroupRow } from './membership';

export const RequestKind = { APPLY: 1, INVITE: 2 } as const;
export const RequestState = { PENDING: 0, ACCEPTED: 1, REFUSED: 2, DROPPED: 3 } as const;

export interface GroupRequestRecord {
  readonly requestId: number;
  readonly groupId: string;
  readonly kind: number;
  readonly userId: string;
  readonly actor: string;
  readonly state: number;
}

export interface MemberWithNickname {
  readonly userId: string;
  readonly role: pb.GroupRole;
  readonly card: string;
  readonly muteUntilMs: number;
  readonly joinedMs: number;
  readonly nickname: string;
}

/** A group as created: what a stored group has but its member count, dismissal and mute all (off). */
export type NewGroup = Omit<GroupRecord, 'memberCount' | 'dismissedMs' | 'muteAll'>;

export interface GroupChanges {
  readonly name?: string;
  readonly announcement?: string;
  readonly mode?: pb.GroupMode;
  readonly inviteConfirm?: boolean;
  readonly muteAll?: boolean;
}

/** The write side of groups and the listings; every write runs inside the service's transaction. */
export interface GroupStore {
  insertGroup(appId: string, group: NewGroup): void;
  addMember(appId: string, groupId: string, userId: string, role: pb.GroupRole, timeMs: number): void;
  removeMember(appId: string, groupId: string, userId: string): void;
  setRole(appId: string, groupId: string, userId: string, role: pb.GroupRole): void;
  setOwner(appId: string, groupId: string, owner: string): void;
  setMute(appId: string, groupId: string, userId: string, untilMs: number): void;
  setCard(appId: string, groupId: string, userId: string, card: string): void;
  setDnd(appId: string, groupId: string, userId: string, on: boolean): void;
  modify(appId: string, groupId: string, changes: GroupChanges): void;
  dismiss(appId: string, groupId: string, timeMs: number): void;
  createRequest(appId: string, groupId: string, kind: number, userId: string, actor: string, reason: string, timeMs: number): number;
  pendingRequest(appId: string, groupId: string, userId: string, kind: number): GroupRequestRecord | undefined;
  request(appId: string, requestId: number): GroupRequestRecord | undefined;
  decideRequest(requestId: number, state: number, by: string, timeMs: number): void;
  /** Drops a user's pending applications and invites of a group (they joined some other way). */
  dropPending(appId: string, groupId: string, userId: string, timeMs: number): void;
  /** Drops the pending invites a user sent for a group: they left it, so their invites go too. */
  dropInvitesBy(appId: string, groupId: string, actor: string, timeMs: number): void;
  /** Drops every pending application and invite of a group: its mode changed, so they were asked under other rules. */
  dropAllPending(appId: string, groupId: string, timeMs: number): void;
  search(appId: string, keyword: string, offset: number, limit: number): { groups: GroupRecord[]; total: number };
  groupsOf(appId: string, userId: string): GroupRecord[];
  /** How many groups the user is a member of (a dismissed group has no members). */
  groupCountOf(appId: string, userId: string): number;
  membersPage(appId: string, groupId: string, offset: number, limit: number): MemberWithNickname[];
}

interface RequestRow {
  request_id: number;
  group_id: string;
  kind: number;
  user_id: string;
  actor: string;
  state: number;
}

export function createGroupStore(db: SqlDatabase): GroupStore {
  const insertGroup = db.prepare(`
    INSERT INTO groups (app_id, group_id, name, owner, type, mode, announcement, invite_confirm, capacity, member_count, created_ms)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?)`);
  const insertMember = db.prepare(
    'INSERT INTO group_members (app_id, group_id, user_id, role, joined_ms) VALUES (?, ?, ?, ?, ?)',
  );
  const deleteMember = db.prepare('DELETE FROM group_members WHERE app_id = ? AND group_id = ? AND user_id = ?');
  const countDelta = db.prepare('UPDATE groups SET member_count = member_count + ? WHERE app_id = ? AND group_id = ?');
  const updateRole = db.prepare('UPDATE group_members SET role = ? WHERE app_id = ? AND group_id = ? AND user_id = ?');
  const updateOwner = db.prepare('UPDATE groups SET owner = ? WHERE app_id = ? AND group_id = ?');
  const updateMute = db.prepare('UPDATE group_members SET mute_until_ms = ? WHERE app_id = ? AND group_id = ? AND user_id = ?');
  const updateCard = db.prepare('UPDATE group_members SET card = ? WHERE app_id = ? AND group_id = ? AND user_id = ?');
  const updateDnd = db.prepare('UPDATE group_members SET dnd = ? WHERE app_id = ? AND group_id = ? AND user_id = ?');
  const updateGroup = db.prepare(`
    UPDATE groups SET name = COALESCE(?, name), announcement = COALESCE(?, announcement), mode = COALESCE(?, mode),
      invite_confirm = COALESCE(?, invite_confirm), mute_all = COALESCE(?, mute_all)
    WHERE app_id = ? AND group_id = ?`);
  const markDismissed = db.prepare('UPDATE groups SET dismissed_ms = ?, member_count = 0 WHERE app_id = ? AND group_id = ?');
  const deleteMembers = db.prepare('DELETE FROM group_members WHERE app_id = ? AND group_id = ?');
  const dropGroupRequests = db.prepare(
    'UPDATE group_requests SET state = 3, decided_ms = ? WHERE app_id = ? AND group_id = ? AND state = 0',
  );
  const insertRequest = db.prepare<[string, string, number, string, string, string, number], number>(`
    INSERT INTO group_requests (app_id, group_id, kind, user_id, actor, reason, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
    RETURNING request_id`).pluck();
  const REQUEST_COLUMNS = 'request_id, group_id, kind, user_id, actor, state';
  const selectPending = db.prepare<[string, string, string, number], RequestRow>(
    `SELECT ${REQUEST_COLUMNS} FROM group_requests WHERE app_id = ? AND group_id = ? AND user_id = ? AND kind = ? AND state = 0`,
  );
  const selectRequest = db.prepare<[number, string], RequestRow>(
    `SELECT ${REQUEST_COLUMNS} FROM group_requests WHERE request_id = ? AND app_id = ?`,
  );
  const updateRequest = db.prepare('UPDATE group_requests SET state = ?, decided_by = ?, decided_ms = ? WHERE request_id = ?');
  const dropUserRequests = db.prepare(
    'UPDATE group_requests SET state = 3, decided_ms = ? WHERE app_id = ? AND group_id = ? AND user_id = ? AND state = 0',
  );
  const dropActorInvites = db.prepare(
    `UPDATE group_requests SET state = 3, decided_ms = ? WHERE app_id = ? AND group_id = ? AND actor = ? AND kind = ${RequestKind.INVITE} AND state = 0`,
  );
  const SEARCH_WHERE = `app_id = ? AND dismissed_ms IS NULL AND mode IN (0, 1) AND (name ${likeIgnoringCase(db)} ? ESCAPE '\\' OR group_id = ?)`;
  const searchGroups = db.prepare<[string, string, string, number, number], GroupRow>(
    `SELECT ${GROUP_COLUMNS} FROM groups WHERE ${SEARCH_WHERE} ORDER BY created_ms, group_id LIMIT ? OFFSET ?`,
  );
  const countSearch = db.prepare<[string, string, string], number>(`SELECT COUNT(*) FROM groups WHERE ${SEARCH_WHERE}`).pluck();
  const countGroupsOf = db.prepare<[string, string], number>('SELECT COUNT(*) FROM group_members WHERE app_id = ? AND user_id = ?').pluck();
  const selectGroupsOf = db.prepare<[string, string], GroupRow>(`
    SELECT ${GROUP_COLUMNS.split(', ').map((c) => `g.${c}`).join(', ')}
    FROM group_members m JOIN groups g ON g.app_id = m.app_id AND g.group_id = m.group_id
    WHERE m.app_id = ? AND m.user_id = ? AND g.dismissed_ms IS NULL
    ORDER BY m.joined_ms, g.group_id`);
  const selectMembersPage = db.prepare<
    [string, string, number, number],
    { user_id: string; role: number; card: string; mute_until_ms: number; joined_ms: number; nickname: string | null }
  >(`
    SELECT m.user_id, m.role, m.card, m.mute_until_ms, m.joined_ms, u.nickname
    FROM group_members m LEFT JOIN users u ON u.app_id = m.app_id AND u.user_id = m.user_id
    WHERE m.app_id = ? AND m.group_id = ?
    ORDER BY m.role DESC, m.joined_ms, m.user_id LIMIT ? OFFSET ?`);

  const toRequest = (row: RequestRow | undefined): GroupRequestRecord | undefined =>
    row === undefined
      ? undefined
      : { requestId: row.request_id, groupId: row.group_id, kind: row.kind, userId: row.user_id, actor: row.actor, state: row.state };
  const likePattern = (keyword: string): string => `%${keyword.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const flag = (value: boolean | undefined): number | null => (value === undefined ? null : value ? 1 : 0);

  return {
    insertGroup(appId, g) {
      insertGroup.run(appId, g.groupId, g.name, g.owner, g.type, g.mode, g.announcement, g.inviteConfirm ? 1 : 0, g.capacity, g.createdMs);
    },
    addMember(appId, groupId, userId, role, timeMs) {
      insertMember.run(appId, groupId, userId, role, timeMs);
      countDelta.run(1, appId, groupId);
    },
    removeMember(appId, groupId, userId) {
      if (deleteMember.run(appId, groupId, userId).changes > 0) countDelta.run(-1, appId, groupId);
    },
    setRole: (appId, groupId, userId, role) => void updateRole.run(role, appId, groupId, userId),
    setOwner: (appId, groupId, owner) => void updateOwner.run(owner, appId, groupId),
    setMute: (appId, groupId, userId, untilMs) => void updateMute.run(untilMs, appId, groupId, userId),
    setCard: (appId, groupId, userId, card) => void updateCard.run(card, appId, groupId, userId),
    setDnd: (appId, groupId, userId, on) => void updateDnd.run(on ? 1 : 0, appId, groupId, userId),
    modify(appId, groupId, c) {
      updateGroup.run(c.name ?? null, c.announcement ?? null, c.mode ?? null, flag(c.inviteConfirm), flag(c.muteAll), appId, groupId);
    },
    dismiss(appId, groupId, timeMs) {
      markDismissed.run(timeMs, appId, groupId);
      deleteMembers.run(appId, groupId);
      dropGroupRequests.run(timeMs, appId, groupId);
    },
    createRequest: (appId, groupId, kind, userId, actor, reason, timeMs) =>
      insertRequest.get(appId, groupId, kind, userId, actor, reason, timeMs)!,
    pendingRequest: (appId, groupId, userId, kind) => toRequest(selectPending.get(appId, groupId, userId, kind)),
    request: (appId, requestId) => toRequest(selectRequest.get(requestId, appId)),
    decideRequest: (requestId, state, by, timeMs) => void updateRequest.run(state, by, timeMs, requestId),
    dropPending: (appId, groupId, userId, timeMs) => void dropUserRequests.run(timeMs, appId, groupId, userId),
    dropInvitesBy: (appId, groupId, actor, timeMs) => void dropActorInvites.run(timeMs, appId, groupId, actor),
    dropAllPending: (appId, groupId, timeMs) => void dropGroupRequests.run(timeMs, appId, groupId),
    search(appId, keyword, offset, limit) {
      const pattern = likePattern(keyword);
      return {
        groups: searchGroups.all(appId, pattern, keyword, limit, offset).map(groupFromRow),
        total: countSearch.get(appId, pattern, keyword) ?? 0,
      };
    },
    groupsOf: (appId, userId) => selectGroupsOf.all(appId, userId).map(groupFromRow),
    groupCountOf: (appId, userId) => Number(countGroupsOf.get(appId, userId) ?? 0),
    membersPage: (appId, groupId, offset, limit) =>
      selectMembersPage.all(appId, groupId, limit, offset).map((row) => ({
        userId: row.user_id,
        role: row.role as pb.GroupRole,
        card: row.card,
        muteUntilMs: row.mute_until_ms,
        joinedMs: row.joined_ms,
        nickname: row.nickname ?? '',
      })),
  };
}
