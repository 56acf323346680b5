import type { MessageInitShape } from '@bufbuild/protobuf';
import { ErrorCode, MagpieError, pb } from '../../protocol';
import type { GroupModeName, GroupView, MemberView, MethodResult, NoticeView } from '../../preload/api';
import type { MagpieClient } from '../client/magpie-client';
import { groupFromWire, memberFromWire } from '../store';
import { MODE_BY_NAME, toGroupView, toMemberView } from '../views/conversation-view';
import { toNoticeView } from '../views/message-view';
import { createGroupCreateIds } from './group-create-ids';
import { isStaleRequestError, pendingRequests } from './pending-requests';

type GroupOp = MessageInitShape<typeof pb.GroupRequestSchema>['op'];
type InviteOutcome = MethodResult<'group.invite'>;

const TYPE_BY_CAPACITY: Record<number, pb.GroupType> = {
  100: pb.GroupType.TEMPORARY,
  300: pb.GroupType.NORMAL,
  500: pb.GroupType.SENIOR,
  1000: pb.GroupType.ADVANCED,
  2000: pb.GroupType.SUPER,
};

/** The member limits a new group may have, one per group type (capacity includes the owner). */
export const GROUP_CAPACITIES: readonly number[] = Object.keys(TYPE_BY_CAPACITY).map(Number);

/** How a wrong capacity is told, by the CLI's usage check and the service alike. */
export function capacityRule(capacity: number): string {
  return `a group holds ${GROUP_CAPACITIES.slice(0, -1).join(', ')} or ${GROUP_CAPACITIES.at(-1)} members, not ${capacity}`;
}

/**
 * Failures that leave a request's outcome unknown: the connection went (or the answer did not
 * come) after it may have reached the server. A create goes again with its request id after them.
 */
const UNKNOWN_OUTCOME: ReadonlySet<number> = new Set([
  ErrorCode.CONNECTION_CLOSED,
  ErrorCode.NOT_CONNECTED,
  ErrorCode.SERVER_SHUTTING_DOWN,
  ErrorCode.REQUEST_TIMEOUT,
]);

/** A new group holds up to 500 members unless asked otherwise, as a common desktop messenger's does. */
export const DEFAULT_GROUP_CAPACITY = 500;

/**
 * Every group operation, checked by the server; what the answers say about groups and members is
 * kept in the store so the group list and member lists read offline.
 */
export function createGroupService(client: MagpieClient) {
  const { store } = client;
  const now = () => client.clock.now();
  const createIds = createGroupCreateIds(store.pendingCreates, now);

  async function call(op: GroupOp): Promise<pb.GroupResult> {
    const answer = await client.request('GROUP', { op });
    return answer.body;
  }

  function keepGroup(result: pb.GroupResult): GroupView {
    if (result.result.case !== 'group') throw new MagpieError(ErrorCode.UNEXPECTED_FRAME, 'expected a group in the answer');
    const record = groupFromWire(result.result.value);
    store.groups.upsertGroup(record, now());
    if (record.myRole !== pb.GroupRole.NONE) store.conversations.ensure(record.groupId, record.createdMs);
    return toGroupView(record);
  }

  function offline(error: unknown): boolean {
    return error instanceof MagpieError && error.code === ErrorCode.NOT_CONNECTED;
  }

  /**
   * Asks until answered: a request whose outcome is unknown goes again, the same request id in it,
   * once the client is online again, until tuning.groupCreateRetryMs after the first try; a little
   * later than at once, so a link that is going has gone.
   */
  async function callUntilAnswered(op: GroupOp): Promise<pb.GroupResult> {
    const deadlineMs = now() + client.tuning.groupCreateRetryMs;
    for (let tries = 0; ; tries++) {
      try {
        return await call(op);
      } catch (error) {
        if (!(error instanceof MagpieError) || !UNKNOWN_OUTCOME.has(error.code)) throw error;
        // offline at the first try: nothing went out, and the user is told at once, as for any
        // group operation (a Create button does not wait a minute for a link that is not there)
        if (tries === 0 && error.code === ErrorCode.NOT_CONNECTED) throw error;
        const pauseMs = Math.min(client.tuning.backoffBaseMs, Math.max(0, deadlineMs - now()));
        await new Promise<void>((resolve) => client.clock.setTimeout(resolve, pauseMs));
        const leftMs = deadlineMs - now();
        if (leftMs <= 0 || !(await client.whenOnline(leftMs))) throw error;
      }
    }
  }

  /** An application or invite answered here no longer waits in the approvals inbox. */
  function markRequestHandled(groupId: string, requestId: number): void {
    for (const notice of store.notices.listForGroup(groupId, 500)) {
      if (notice.requestId === requestId) store.notices.markHandled(notice.seq);
    }
  }

  /**
   * Answers a request. An answer saying it no longer waits (another admin answered it, the group
   * was dismissed, its user is already in) clears the entry as well, and is still reported.
   */
  async function answer(groupId: string, requestId: number, op: GroupOp): Promise<void> {
    try {
      await call(op);
    } catch (error) {
      if (isStaleRequestError(error)) markRequestHandled(groupId, requestId);
      throw error;
    }
    markRequestHandled(groupId, requestId);
  }

  return {
    async create(args: {
      name: string;
      mode: GroupModeName;
      capacity?: number;
      members?: string[];
      announcement?: string;
      inviteConfirm?: boolean;
    }): Promise<GroupView> {
      const type = TYPE_BY_CAPACITY[args.capacity ?? DEFAULT_GROUP_CAPACITY];
      if (type === undefined) throw new MagpieError(ErrorCode.INVALID_GROUP_ARGUMENT, capacityRule(args.capacity ?? DEFAULT_GROUP_CAPACITY));
      const settings = {
        name: args.name,
        type,
        mode: MODE_BY_NAME[args.mode],
        members: args.members ?? [],
        announcement: args.announcement ?? '',
        inviteConfirm: args.inviteConfirm ?? false,
      };
      // one id per user action, kept across retries and a repeat of an unanswered create
      // (docs/client.md "Creating a group"): the server makes one group of it, however often asked
      const settingsKey = JSON.stringify(settings);
      const result = await callUntilAnswered({ case: 'create', value: { ...settings, requestId: createIds.idFor(settingsKey) } });
      createIds.answered(settingsKey);
      return keepGroup(result);
    },

    /** My groups from the server, or from the store while offline. */
    async mine(): Promise<GroupView[]> {
      try {
        // in pages: a server answers as many as fit one frame (long names and announcements), and
        // the total says how many there are; an older server answers them all at once
        for (let offset = 0; ; ) {
          const result = await call({ case: 'listMine', value: { offset } });
          if (result.result.case !== 'groups') throw new MagpieError(ErrorCode.UNEXPECTED_FRAME, 'expected groups');
          const { groups, total } = result.result.value;
          for (const info of groups) store.groups.upsertGroup(groupFromWire(info), now());
          offset += groups.length;
          if (groups.length === 0 || offset >= total) break;
        }
      } catch (error) {
        if (!offline(error)) throw error;
      }
      return store.groups.listMine().map(toGroupView);
    },

    async search(keyword: string, offset = 0, limit = 20): Promise<GroupView[]> {
      const result = await call({ case: 'search', value: { keyword, offset, limit } });
      if (result.result.case !== 'groups') throw new MagpieError(ErrorCode.UNEXPECTED_FRAME, 'expected groups');
      return result.result.value.groups.map((info) => toGroupView(groupFromWire(info)));
    },

    async info(groupId: string): Promise<GroupView> {
      try {
        return keepGroup(await call({ case: 'info', value: { groupId } }));
      } catch (error) {
        const known = store.groups.getGroup(groupId);
        if (offline(error) && known) return toGroupView(known);
        throw error;
      }
    },

    async members(groupId: string, offset = 0, limit = 100): Promise<{ members: MemberView[]; total: number }> {
      try {
        const result = await call({ case: 'members', value: { groupId, offset, limit } });
        if (result.result.case !== 'members') throw new MagpieError(ErrorCode.UNEXPECTED_FRAME, 'expected members');
        const records = result.result.value.members.map((m) => memberFromWire(groupId, m));
        if (offset === 0 && records.length === result.result.value.total) store.groups.replaceMembers(groupId, records);
        else store.groups.upsertMembers(records);
        const profiles = new Map(store.users.getMany(records.map((r) => r.userId)).map((p) => [p.userId, p]));
        return { members: records.map((r) => toMemberView(r, profiles.get(r.userId))), total: result.result.value.total };
      } catch (error) {
        if (!offline(error)) throw error;
        const records = store.groups.listMembers(groupId, offset, limit);
        const profiles = new Map(store.users.getMany(records.map((r) => r.userId)).map((p) => [p.userId, p]));
        return { members: records.map((r) => toMemberView(r, profiles.get(r.userId))), total: records.length };
      }
    },

    async join(groupId: string): Promise<GroupView> {
      return keepGroup(await call({ case: 'join', value: { groupId } }));
    },

    async apply(groupId: string, reason = ''): Promise<{ requestId: number }> {
      const result = await call({ case: 'apply', value: { groupId, reason } });
      if (result.result.case === 'pending') return { requestId: Number(result.result.value.requestId) };
      if (result.result.case === 'group') keepGroup(result);
      return { requestId: 0 };
    },

    async approve(groupId: string, requestId: number): Promise<void> {
      await answer(groupId, requestId, { case: 'approve', value: { groupId, requestId: BigInt(requestId) } });
    },

    async reject(groupId: string, requestId: number, reason = ''): Promise<void> {
      await answer(groupId, requestId, { case: 'reject', value: { groupId, requestId: BigInt(requestId), reason } });
    },

    async acceptInvite(groupId: string, requestId: number): Promise<void> {
      await answer(groupId, requestId, { case: 'acceptInvite', value: { groupId, requestId: BigInt(requestId) } });
    },

    async declineInvite(groupId: string, requestId: number, reason = ''): Promise<void> {
      await answer(groupId, requestId, { case: 'declineInvite', value: { groupId, requestId: BigInt(requestId), reason } });
    },

    /**
     * Invites: whom the invite reached (joined, or asked to confirm) and who was in already. A
     * server that does not say (before these fields) is taken to have reached everyone named.
     */
    async invite(groupId: string, users: string[], reason = ''): Promise<InviteOutcome> {
      const result = await call({ case: 'invite', value: { groupId, users, reason } });
      if (result.invited.length === 0 && result.alreadyMembers.length === 0) return { invited: [...new Set(users)], alreadyMembers: [] };
      return { invited: [...result.invited], alreadyMembers: [...result.alreadyMembers] };
    },

    async kick(groupId: string, users: string[]): Promise<void> {
      await call({ case: 'kick', value: { groupId, users } });
      store.groups.removeMembers(groupId, users);
    },

    async quit(groupId: string): Promise<void> {
      await call({ case: 'quit', value: { groupId } });
      store.groups.patchGroup(groupId, { myRole: pb.GroupRole.NONE }, now());
    },

    async dismiss(groupId: string): Promise<void> {
      await call({ case: 'dismiss', value: { groupId } });
      store.groups.patchGroup(groupId, { dismissed: true }, now());
    },

    async transfer(groupId: string, user: string): Promise<void> {
      await call({ case: 'transfer', value: { groupId, user } });
    },

    async setRole(groupId: string, user: string, role: 'admin' | 'member'): Promise<void> {
      await call({ case: 'setRole', value: { groupId, user, role: role === 'admin' ? pb.GroupRole.ADMIN : pb.GroupRole.MEMBER } });
    },

    async mute(groupId: string, user: string, seconds: number): Promise<void> {
      await call({ case: 'mute', value: { groupId, user, seconds } });
    },

    async setCard(groupId: string, user: string | undefined, card: string): Promise<void> {
      await call({ case: 'setCard', value: { groupId, user: user ?? '', card } });
      // the other members' clients are told by the server; this session by its answer
      store.groups.patchMember(groupId, user ?? client.selfId, { card });
    },

    async setDnd(groupId: string, on: boolean): Promise<void> {
      await call({ case: 'setDnd', value: { groupId, on } });
      store.groups.patchGroup(groupId, { dnd: on }, now());
    },

    async modify(args: {
      groupId: string;
      name?: string;
      announcement?: string;
      mode?: GroupModeName;
      inviteConfirm?: boolean;
      muteAll?: boolean;
    }): Promise<GroupView> {
      const value: MessageInitShape<typeof pb.ModifyGroupSchema> = { groupId: args.groupId };
      if (args.name !== undefined) value.name = args.name;
      if (args.announcement !== undefined) value.announcement = args.announcement;
      if (args.mode !== undefined) value.mode = MODE_BY_NAME[args.mode];
      if (args.inviteConfirm !== undefined) value.inviteConfirm = args.inviteConfirm;
      if (args.muteAll !== undefined) value.muteAll = args.muteAll;
      const result = await call({ case: 'modify', value });
      if (result.result.case === 'group') return keepGroup(result);
      return this.info(args.groupId);
    },

    /** Applications to groups I manage and invites to me, not yet answered. */
    requests(): NoticeView[] {
      return pendingRequests(store, client.selfId).map(toNoticeView);
    },
  };
}

export type GroupService = ReturnType<typeof createGroupService>;
