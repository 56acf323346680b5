import type { Database } from 'better-sqlite3';
import { pb } from '../../protocol';

/** What a MODIFY notice changed: only the settings it gave a new value, each with that value. */
export interface GroupChanges {
  readonly name?: string;
  /** Empty: the announcement was cleared. */
  readonly announcement?: string;
  readonly mode?: pb.GroupMode;
  readonly inviteConfirm?: boolean;
  /** Mute all turned on (true) or off (false). */
  readonly muteAll?: boolean;
}

export interface StoredNotice {
  readonly seq: number;
  readonly kind: pb.NoticeKind;
  readonly groupId: string;
  readonly actor: string;
  readonly targets: readonly string[];
  readonly text: string;
  readonly timeMs: number;
  readonly role: pb.GroupRole;
  readonly muteUntilMs: number;
  readonly groupName: string;
  readonly requestId: number;
  /** MODIFY: what changed; absent for a notice that does not say (stored before, or from an older server). */
  readonly changes?: GroupChanges;
  /** An application or invite this user has answered. */
  readonly handled: boolean;
}

export interface NoticeRow {
  seq: number;
  kind: number;
  group_id: string;
  actor: string;
  targets: string;
  text: string;
  time_ms: number;
  role: number;
  mute_until_ms: number;
  group_name: string;
  request_id: number;
  changes: string | null;
  handled: number;
}

export const noticeFromRow = (r: NoticeRow): StoredNotice => ({
  ...(r.changes === null ? {} : { changes: JSON.parse(r.changes) as GroupChanges }),
  seq: r.seq,
  kind: r.kind,
  groupId: r.group_id,
  actor: r.actor,
  targets: JSON.parse(r.targets) as string[],
  text: r.text,
  timeMs: r.time_ms,
  role: r.role,
  muteUntilMs: r.mute_until_ms,
  groupName: r.group_name,
  requestId: r.request_id,
  handled: r.handled === 1,
});

export function noticeFromWire(seq: number, notice: pb.Notice): Omit<StoredNotice, 'handled'> {
  return {
    seq,
    kind: notice.kind,
    groupId: notice.groupId,
    actor: notice.actor,
    targets: [...notice.targets],
    text: notice.text,
    timeMs: Number(notice.timeMs),
    role: notice.role,
    muteUntilMs: Number(notice.muteUntilMs),
    groupName: notice.groupName,
    requestId: Number(notice.requestId),
    ...(notice.kind === pb.NoticeKind.MODIFY && notice.changed.length > 0 ? { changes: changesOf(notice) } : {}),
  };
}

/** The new values of what a MODIFY notice says changed (name in group_name, announcement in text). */
function changesOf(notice: pb.Notice): GroupChanges {
  const changes: { -readonly [K in keyof GroupChanges]: GroupChanges[K] } = {};
  for (const field of notice.changed) {
    if (field === pb.GroupField.NAME) changes.name = notice.groupName;
    else if (field === pb.GroupField.ANNOUNCEMENT) changes.announcement = notice.text;
    else if (field === pb.GroupField.MODE) changes.mode = notice.mode;
    else if (field === pb.GroupField.INVITE_CONFIRM) changes.inviteConfirm = notice.inviteConfirm;
    else if (field === pb.GroupField.MUTE_ALL) changes.muteAll = notice.muteAll;
  }
  return changes;
}

/** Group notices, by inbox seq. */
export interface NoticeStore {
  /** Stores a notice unless its seq is already there; true when it was new. */
  insert(notice: Omit<StoredNotice, 'handled'>): boolean;
  /** Newest first, before a seq. */
  list(limit?: number, beforeSeq?: number): StoredNotice[];
  listForGroup(groupId: string, limit?: number): StoredNotice[];
  /** The group's newest notice by its time (seq breaks a tie): seq is arrival order, not time order. */
  latestForGroup(groupId: string): StoredNotice | undefined;
  markHandled(seq: number): void;
}

export function createNoticeStore(db: Database): NoticeStore {
  const insertStmt = db.prepare(`
    INSERT OR IGNORE INTO notices (seq, kind, group_id, actor, targets, text, time_ms, role, mute_until_ms, group_name, request_id, changes)
    VALUES (@seq, @kind, @groupId, @actor, @targets, @text, @timeMs, @role, @muteUntilMs, @groupName, @requestId, @changes)`);
  const listStmt = db.prepare<[number, number], NoticeRow>('SELECT * FROM notices WHERE seq < ? ORDER BY seq DESC LIMIT ?');
  const byGroup = db.prepare<[string, number], NoticeRow>(
    'SELECT * FROM notices WHERE group_id = ? ORDER BY seq DESC LIMIT ?',
  );
  const latestByGroup = db.prepare<[string], NoticeRow>('SELECT * FROM notices WHERE group_id = ? ORDER BY time_ms DESC, seq DESC LIMIT 1');
  const handled = db.prepare('UPDATE notices SET handled = 1 WHERE seq = ?');
  return {
    insert: (notice) =>
      insertStmt.run({ ...notice, targets: JSON.stringify(notice.targets), changes: notice.changes === undefined ? null : JSON.stringify(notice.changes) })
        .changes > 0,
    list: (limit = 100, beforeSeq = Number.MAX_SAFE_INTEGER) => listStmt.all(beforeSeq, limit).map(noticeFromRow),
    listForGroup: (groupId, limit = 100) => byGroup.all(groupId, limit).map(noticeFromRow),
    latestForGroup: (groupId) => {
      const row = latestByGroup.get(groupId);
      return row ? noticeFromRow(row) : undefined;
    },
    markHandled(seq) {
      handled.run(seq);
    },
  };
}
