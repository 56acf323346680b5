import { create, type MessageInitShape } from '@bufbuild/protobuf';
import { ErrorCode, hasControlCharacter, isValidUserId, MagpieError, pb, textChars, userIdProblem, type Clock } from '../../protocol';
import type { Caller } from '../handler-types';
import type { Appended, InboxStore } from '../sync/inbox';
import { GROUP_LIMITS } from './group-limits';
import type { GroupCreates } from './group-creates';
import type { GroupStore } from './group-store';
import type { GroupRecord, MemberRecord, MembershipStore } from './membership';

/** What every group operation uses. */
export interface GroupContext {
  readonly clock: Clock;
  readonly membership: MembershipStore;
  readonly store: GroupStore;
  /** The request ids of recent creates (a repeat answers the first create's group). */
  readonly creates: GroupCreates;
  readonly inbox: InboxStore;
  readonly ensureUser: (appId: string, userId: string) => void;
  readonly newGroupId: () => string;
  /**
   * Holds the group's row until the operation commits (PostgreSQL: SELECT … FOR UPDATE), so that
   * two nodes' operations on one group run one after the other; nothing on SQLite (one writer).
   */
  readonly lockGroup?: (appId: string, groupId: string) => void;
}

export interface NoticeInit {
  readonly kind: pb.NoticeKind;
  readonly targets?: readonly string[];
  readonly text?: string;
  readonly role?: pb.GroupRole;
  readonly muteUntilMs?: number;
  readonly requestId?: number;
  /** MODIFY: what changed, and the new mode and invite rule when those did. */
  readonly changed?: readonly pb.GroupField[];
  readonly mode?: pb.GroupMode;
  readonly inviteConfirm?: boolean;
  /** MODIFY with MUTE_ALL changed: on or off now. */
  readonly muteAll?: boolean;
  /** Defaults to the caller. */
  readonly actor?: string;
}

/** One group operation in flight: who asks, and the notices it leaves (pushed after commit). */
export class GroupOp {
  readonly appended: Appended[] = [];
  /** Transient notices (notifyOnline), pushed after the commit to whoever of their users is online. */
  readonly transient: Array<{ readonly users: readonly string[]; readonly notice: pb.Notice }> = [];
  private readonly locked = new Set<string>();

  constructor(
    readonly ctx: GroupContext,
    readonly caller: Caller,
  ) {}

  get appId(): string {
    return this.caller.appId;
  }

  get me(): string {
    return this.caller.userId;
  }

  /** Appends a notice about `group` to each user's inbox, in this operation's transaction. */
  notify(userIds: Iterable<string>, group: GroupRecord, init: NoticeInit): void {
    const users = [...new Set(userIds)];
    if (users.length === 0) return;
    this.appended.push(...this.ctx.inbox.append(this.appId, users, { case: 'notice', value: this.notice(group, init) }));
  }

  /**
   * A notice for the online sessions of each user only (a PUSH with seq 0), sent after the commit:
   * stored nowhere, so it costs no inbox row in a group of thousands, and a client that does not
   * know it drops it.
   */
  notifyOnline(userIds: Iterable<string>, group: GroupRecord, init: NoticeInit): void {
    const users = [...new Set(userIds)];
    if (users.length > 0) this.transient.push({ users, notice: this.notice(group, init) });
  }

  private notice(group: GroupRecord, init: NoticeInit): pb.Notice {
    return create(pb.NoticeSchema, {
      kind: init.kind,
      groupId: group.groupId,
      groupName: group.name,
      actor: init.actor ?? this.me,
      targets: init.targets === undefined ? [] : [...init.targets],
      text: init.text ?? '',
      timeMs: BigInt(this.ctx.clock.now()),
      role: init.role ?? pb.GroupRole.NONE,
      muteUntilMs: BigInt(init.muteUntilMs ?? 0),
      requestId: BigInt(init.requestId ?? 0),
      changed: init.changed === undefined ? [] : [...init.changed],
      mode: init.mode ?? pb.GroupMode.PUBLIC,
      inviteConfirm: init.inviteConfirm ?? false,
      muteAll: init.muteAll ?? false,
    });
  }

  /** Every member of the group now. */
  members(groupId: string): string[] {
    return this.ctx.membership.memberIds(this.appId, groupId);
  }

  /**
   * The group, checked active. Every operation that changes a group reads it here first: on
   * PostgreSQL its row is locked here, before any inbox head (those are locked at the end, in key
   * order), so operations of several nodes on one group are serialised and cannot deadlock.
   */
  activeGroup(groupId: string): GroupRecord {
    if (this.ctx.lockGroup !== undefined && !this.locked.has(groupId)) {
      this.ctx.lockGroup(this.appId, groupId);
      this.locked.add(groupId);
    }
    return this.ctx.membership.requireActiveGroup(this.appId, groupId);
  }

  /** The active group and the caller's membership in it. */
  myMembership(groupId: string): { group: GroupRecord; me: MemberRecord } {
    const group = this.activeGroup(groupId);
    return { group, me: this.ctx.membership.requireMember(this.appId, groupId, this.me) };
  }

  /** The group as the caller sees it. */
  info(groupId: string): pb.GroupInfo {
    const group = this.ctx.membership.group(this.appId, groupId);
    if (group === undefined) throw new MagpieError(ErrorCode.GROUP_NOT_FOUND, `no group ${groupId}`);
    return groupInfo(group, this.ctx.membership.member(this.appId, groupId, this.me));
  }
}

export type GroupResultInit = MessageInitShape<typeof pb.GroupResultSchema>;

export function groupInfo(group: GroupRecord, me: MemberRecord | undefined): pb.GroupInfo {
  return create(pb.GroupInfoSchema, {
    groupId: group.groupId,
    name: group.name,
    owner: group.owner,
    type: group.type,
    mode: group.mode,
    announcement: group.announcement,
    memberCount: group.memberCount,
    capacity: group.capacity,
    createdMs: BigInt(group.createdMs),
    myRole: me?.role ?? pb.GroupRole.NONE,
    dnd: me?.dnd ?? false,
    inviteConfirm: group.inviteConfirm,
    dismissed: group.dismissedMs !== null,
    myMuteUntilMs: BigInt(me?.muteUntilMs ?? 0),
    muteAll: group.muteAll,
  });
}

export const okResult: GroupResultInit = { result: { case: 'ok', value: {} } };

export function requireManager(me: MemberRecord): void {
  if (me.role < pb.GroupRole.ADMIN) throw new MagpieError(ErrorCode.NOT_GROUP_ADMIN, 'only the owner or an admin may do this');
}

export function requireOwner(me: MemberRecord): void {
  if (me.role !== pb.GroupRole.OWNER) throw new MagpieError(ErrorCode.NOT_GROUP_OWNER, 'only the owner may do this');
}

/**
 * Each user may join one more group: below GROUP_LIMITS.maxGroupsPerUser, or TOO_MANY_GROUPS
 * naming the first who may not (the caller is "you").
 */
export function requireGroupSlots(op: GroupOp, userIds: Iterable<string>): void {
  const max = GROUP_LIMITS.maxGroupsPerUser;
  for (const user of userIds) {
    if (op.ctx.store.groupCountOf(op.appId, user) < max) continue;
    const who = user === op.me ? 'you are' : `${user} is`;
    throw new MagpieError(ErrorCode.TOO_MANY_GROUPS, `${who} in ${max} groups, as many as a user may be in: quit one first`);
  }
}

export function checkUserIds(users: readonly string[], max: number): string[] {
  if (users.length > max) throw new MagpieError(ErrorCode.INVALID_GROUP_ARGUMENT, `at most ${max} users per request`);
  for (const user of users) {
    if (!isValidUserId(user)) throw new MagpieError(ErrorCode.INVALID_USER_ID, `"${user}": ${userIdProblem(user) ?? 'invalid'}`);
  }
  return [...new Set(users)];
}

/** A group's name or a member card: a text that is shown on one line, so no control character. */
export function checkName(value: string, max: number, what: string, allowEmpty = true): string {
  if (hasControlCharacter(value)) throw new MagpieError(ErrorCode.INVALID_GROUP_ARGUMENT, `${what} must not hold control characters (line breaks, escapes, direction overrides)`);
  return checkText(value, max, what, allowEmpty);
}

/**
 * A group's text (name, announcement, reason, card, keyword): at most max characters, counted as
 * the message and name limits count them (Unicode code points, textChars): an emoji or a Chinese
 * character is one.
 */
export function checkText(value: string, max: number, what: string, allowEmpty = true): string {
  // a text of at most max UTF-16 units has at most max code points: count only longer ones
  const chars = value.length > max ? textChars(value) : value.length;
  if (chars > max) {
    throw new MagpieError(ErrorCode.INVALID_GROUP_ARGUMENT, `${what} has ${chars} characters: at most ${max} (an emoji or a Chinese character counts one)`);
  }
  if (!allowEmpty && value.trim().length === 0) throw new MagpieError(ErrorCode.INVALID_GROUP_ARGUMENT, `${what} must not be empty or only white space`);
  return value;
}

export function requireRequest(found: { state: number; groupId: string } | undefined, groupId: string): void {
  if (found === undefined || found.state !== 0 || found.groupId !== groupId) {
    throw new MagpieError(ErrorCode.REQUEST_NOT_FOUND, 'no such pending request in this group');
  }
}
