import type { Session } from '../session';
import { answerNothing, type CoreDeps, type HandlerSlice } from './deps';

type GroupMethods =
  | 'groups.create' | 'groups.mine' | 'groups.search' | 'group.info' | 'group.members' | 'group.join'
  | 'group.apply' | 'group.approve' | 'group.reject' | 'group.invite' | 'group.acceptInvite'
  | 'group.declineInvite' | 'group.kick' | 'group.quit' | 'group.dismiss' | 'group.transfer'
  | 'group.setRole' | 'group.mute' | 'group.setCard' | 'group.setDnd' | 'group.modify' | 'group.requests';

/** Groups: finding, joining, membership and administration. */
export function createGroupHandlers(deps: CoreDeps): HandlerSlice<GroupMethods> {
  const groups = (): Session['groups'] => deps.requireSession().groups;
  /** A call that answers a group: its conversation row follows. */
  const groupCall = async <T extends { groupId: string }>(run: (g: Session['groups']) => Promise<T>): Promise<T> => {
    const session = deps.requireSession();
    const group = await run(session.groups);
    deps.emitConversation(session, group.groupId);
    return group;
  };
  return {
    'groups.create': (args) => groupCall((g) => g.create(args)),
    'groups.mine': () => groups().mine(),
    'groups.search': (args) => groups().search(args.keyword, args.offset, args.limit),
    'group.info': (args) => groups().info(args.groupId),
    'group.members': (args) => groups().members(args.groupId, args.offset, args.limit),
    'group.join': (args) => groupCall((g) => g.join(args.groupId)),
    'group.apply': (args) => groups().apply(args.groupId, args.reason),
    'group.approve': (args) => answerNothing(groups().approve(args.groupId, args.requestId)),
    'group.reject': (args) => answerNothing(groups().reject(args.groupId, args.requestId, args.reason)),
    'group.invite': (args) => groups().invite(args.groupId, args.users, args.reason),
    'group.acceptInvite': (args) => answerNothing(groups().acceptInvite(args.groupId, args.requestId)),
    'group.declineInvite': (args) => answerNothing(groups().declineInvite(args.groupId, args.requestId, args.reason)),
    'group.kick': (args) => answerNothing(groups().kick(args.groupId, args.users)),
    'group.quit': (args) => answerNothing(groups().quit(args.groupId)),
    'group.dismiss': (args) => answerNothing(groups().dismiss(args.groupId)),
    'group.transfer': (args) => answerNothing(groups().transfer(args.groupId, args.user)),
    'group.setRole': (args) => answerNothing(groups().setRole(args.groupId, args.user, args.role)),
    'group.mute': (args) => answerNothing(groups().mute(args.groupId, args.user, args.seconds)),
    'group.setCard': (args) => answerNothing(groups().setCard(args.groupId, args.user, args.card)),
    'group.setDnd': async (args) => {
      const session = deps.requireSession();
      await session.groups.setDnd(args.groupId, args.on);
      session.client.store.conversations.setMuted(args.groupId, args.on);
      deps.emitConversation(session, args.groupId);
      return null;
    },
    'group.modify': (args) => groupCall((g) => g.modify(args)),
    'group.requests': () => groups().requests(),
  };
}
