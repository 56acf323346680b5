import { randomBytes } from 'node:crypto';
import { bodyFrame, ErrorCode, MagpieError, type pb } from '../../protocol';
import type { Caller, HandlerTable, ServerDeps } from '../handler-types';
import { isRetryableConflict } from '../storage/pg/pg-errors';
import { BATCH_CONFLICT_ATTEMPTS } from '../storage/write-batch';
import { createInboxStore } from '../sync/inbox';
import { pushAppended } from '../sync/push';
import { GroupOp, type GroupContext, type GroupResultInit } from './group-context';
import { createGroupCreates } from './group-creates';
import { createGroupStore } from './group-store';
import { createMembershipStore } from './membership';
import { createGroup, dismissGroup, groupInfoOp, listMine, modifyGroup, searchGroups } from './ops-lifecycle';
import { answerInvite, applyToGroup, decideApplication, inviteToGroup, joinGroup } from './ops-joining';
import { kickMembers, listMembers, muteMember, quitGroup, setCard, setDnd, setRole, transferOwner } from './ops-members';

export interface GroupDeps extends ServerDeps {
  /** Makes a user known to the app (an invitee never seen before). */
  ensureUser(appId: string, userId: string): void;
  /**
   * Runs `deliver` (a change's notices) after the large groups' coalesced timeline pushes have
   * left, on every node of a cluster: a notice of the group must not overtake the messages sent
   * before it (docs/server.md, "Large groups"); undefined when it ran at once (ChatService.afterGroupPushes).
   */
  afterGroupPushes?(appId: string, groupIds: readonly string[], deliver: () => void): Promise<void> | undefined;
}

export interface GroupService {
  readonly handlers: HandlerTable;
}

/**
 * GROUP: every group operation, each in one transaction with the notices it leaves in members'
 * inboxes; the notices are pushed to online sessions after the commit.
 */
export function createGroupService(deps: GroupDeps): GroupService {
  const db = deps.db;
  const inbox = createInboxStore(db);
  const lockStatement = db.dialect === 'postgres' ? db.prepare('SELECT 1 FROM groups WHERE app_id = ? AND group_id = ? FOR UPDATE') : undefined;
  const ctx: GroupContext = {
    clock: deps.clock,
    membership: createMembershipStore(db),
    store: createGroupStore(db),
    creates: createGroupCreates(db),
    inbox,
    ensureUser: (appId, userId) => deps.ensureUser(appId, userId),
    newGroupId: () => `g${randomBytes(8).toString('hex')}`,
    ...(lockStatement ? { lockGroup: (appId: string, groupId: string) => void lockStatement.get(appId, groupId) } : {}),
  };
  /**
   * One operation in one transaction. Its notices' seqs are given in memory and their inbox heads
   * locked at the end, in key order (the inbox's batch mode), as the write batch of SENDs does;
   * should another node's transaction still get in the way (PostgreSQL: a deadlock or a
   * serialization failure), the whole operation runs again.
   */
  function runOnce(caller: Caller, request: pb.GroupRequest['op']): { op: GroupOp; result: GroupResultInit } {
    const op = new GroupOp(ctx, caller);
    const result = db.transaction(() => {
      inbox.batchHooks.begin();
      try {
        const value = run(op, request);
        inbox.batchHooks.flush();
        return value;
      } finally {
        inbox.batchHooks.end();
      }
    })();
    return { op, result };
  }
  return {
    handlers: {
      GROUP: ({ caller, body }) => {
        for (let attempt = 1; ; attempt++) {
          try {
            const { op, result } = runOnce(caller, body.op);
            const noticed = new Set(op.appended.flatMap(({ entry }) => (entry.item.case === 'notice' ? [entry.item.value.groupId] : [])));
            const answer = bodyFrame('GROUP_RESULT', result);
            const deliver = () => {
              pushAppended(deps.delivery, caller.appId, op.appended);
              pushTransient(deps, caller, op.transient);
            };
            if (noticed.size === 0 || deps.afterGroupPushes === undefined) {
              deliver();
              return answer;
            }
            const delivered = deps.afterGroupPushes(caller.appId, [...noticed], deliver);
            // answered once its notices are out (on a cluster node they may wait for the others):
            // what the caller does next comes after them
            return delivered === undefined ? answer : delivered.then(() => answer);
          } catch (error) {
            if (!isRetryableConflict(error) || attempt >= BATCH_CONFLICT_ATTEMPTS) throw error;
          }
        }
      },
    },
  };
}

/** Transient notices go to every online session of their users but the caller's, which has its answer. */
function pushTransient(deps: GroupDeps, caller: Caller, transient: GroupOp['transient']): void {
  for (const { users, notice } of transient) {
    const frame = bodyFrame('PUSH', { seq: 0n, item: { case: 'notice', value: notice } });
    for (const user of users) deps.delivery.toUser(caller.appId, user, frame, caller.sessionId);
  }
}

function run(op: GroupOp, request: pb.GroupRequest['op']): GroupResultInit {
  switch (request.case) {
    case 'create':
      return createGroup(op, request.value);
    case 'modify':
      return modifyGroup(op, request.value);
    case 'dismiss':
      return dismissGroup(op, request.value);
    case 'apply':
      return applyToGroup(op, request.value);
    case 'join':
      return joinGroup(op, request.value);
    case 'approve':
      return decideApplication(op, request.value, true);
    case 'reject':
      return decideApplication(op, request.value, false);
    case 'invite':
      return inviteToGroup(op, request.value);
    case 'acceptInvite':
      return answerInvite(op, request.value, true);
    case 'declineInvite':
      return answerInvite(op, request.value, false);
    case 'kick':
      return kickMembers(op, request.value);
    case 'quit':
      return quitGroup(op, request.value);
    case 'transfer':
      return transferOwner(op, request.value);
    case 'setRole':
      return setRole(op, request.value);
    case 'mute':
      return muteMember(op, request.value);
    case 'setCard':
      return setCard(op, request.value);
    case 'setDnd':
      return setDnd(op, request.value);
    case 'search':
      return searchGroups(op, request.value);
    case 'listMine':
      return listMine(op, request.value);
    case 'members':
      return listMembers(op, request.value);
    case 'info':
      return groupInfoOp(op, request.value);
    case undefined:
      throw new MagpieError(ErrorCode.INVALID_GROUP_ARGUMENT, 'a GROUP request names one operation');
    default:
      return assertNever(request);
  }
}

function assertNever(value: never): never {
  throw new MagpieError(ErrorCode.INVALID_GROUP_ARGUMENT, `unknown group operation ${JSON.stringify(value)}`);
}
