import { pendingRequests } from '../groups/pending-requests';
import type { CommandOf, GroupCommand } from './args';
import { ExitCode, type CliIo, type CliSession } from './cli-session';
import { noticeLine } from './output';
import { createSenderNames } from './sender-names';

/** Every group operation: one JSON line for a change, one line per item for a list. */
export async function runGroup(session: CliSession, io: CliIo, command: GroupCommand): Promise<number> {
  await session.connect();
  const { groups, deadline } = session;
  const done = (extra: object = {}): number => {
    io.out({ ok: true, op: command.op, ...('groupId' in command ? { groupId: command.groupId } : {}), ...extra });
    return ExitCode.OK;
  };
  switch (command.op) {
    case 'create': {
      const group = await deadline.race(
        groups.create({ name: command.name, mode: command.mode, members: command.members, ...(command.capacity ? { capacity: command.capacity } : {}) }),
        'creating the group',
      );
      io.out(group);
      return ExitCode.OK;
    }
    case 'join':
      io.out(await deadline.race(groups.join(command.groupId), 'joining'));
      return ExitCode.OK;
    case 'apply': {
      const { requestId } = await deadline.race(groups.apply(command.groupId, command.reason), 'applying');
      // 0: the group let me in at once
      return done(requestId ? { requestId } : { joined: true });
    }
    case 'approve':
      await deadline.race(groups.approve(command.groupId, command.requestId), 'approving');
      return done({ requestId: command.requestId });
    case 'reject':
      await deadline.race(groups.reject(command.groupId, command.requestId, command.reason), 'rejecting');
      return done({ requestId: command.requestId });
    case 'invite': {
      // users: whom it reached; those already in are named apart, and are in no notice
      const { invited, alreadyMembers } = await deadline.race(groups.invite(command.groupId, command.users), 'inviting');
      return done({ users: invited, alreadyMembers });
    }
    case 'kick':
      await deadline.race(groups.kick(command.groupId, command.users), 'removing members');
      return done({ users: command.users });
    case 'quit':
      await deadline.race(groups.quit(command.groupId), 'leaving');
      return done();
    case 'dismiss':
      await deadline.race(groups.dismiss(command.groupId), 'dismissing');
      return done();
    case 'members': {
      const { members } = await deadline.race(groups.members(command.groupId, 0, command.limit), 'listing members');
      for (const member of members) io.out({ groupId: command.groupId, ...member });
      return ExitCode.OK;
    }
    case 'list':
      for (const group of await deadline.race(groups.mine(), 'listing groups')) io.out(group);
      return ExitCode.OK;
    case 'requests': {
      const names = createSenderNames(session.client.store);
      for (const notice of pendingRequests(session.client.store, session.client.selfId)) io.out(noticeLine(names, notice));
      return ExitCode.OK;
    }
    case 'mute':
      await deadline.race(groups.mute(command.groupId, command.user, command.seconds), 'muting');
      return done({ user: command.user, seconds: command.seconds });
    case 'role':
      await deadline.race(groups.setRole(command.groupId, command.user, command.role), 'setting the role');
      return done({ user: command.user, role: command.role });
    case 'transfer':
      await deadline.race(groups.transfer(command.groupId, command.user), 'transferring');
      return done({ user: command.user });
    case 'dnd':
      await deadline.race(groups.setDnd(command.groupId, command.on), 'setting do-not-disturb');
      session.client.store.conversations.setMuted(command.groupId, command.on);
      return done({ on: command.on });
    case 'card':
      await deadline.race(groups.setCard(command.groupId, command.user, command.card), 'setting the alias');
      return done({ user: command.user ?? session.client.selfId, card: command.card });
    case 'mute-all':
      io.out(await deadline.race(groups.modify({ groupId: command.groupId, muteAll: command.on }), command.on ? 'turning on mute all' : 'turning off mute all'));
      return ExitCode.OK;
    case 'modify': {
      const { groupId, name, announcement, mode } = command;
      const change = { groupId, ...(name === undefined ? {} : { name }), ...(announcement === undefined ? {} : { announcement }), ...(mode === undefined ? {} : { mode }) };
      io.out(await deadline.race(groups.modify(change), 'changing the group'));
      return ExitCode.OK;
    }
    default: {
      const unreachable: never = command;
      throw new Error(`unknown group command ${JSON.stringify(unreachable)}`);
    }
  }
}

export async function runProfile(session: CliSession, io: CliIo, command: CommandOf<'profile'>): Promise<number> {
  await session.connect();
  const change: { nickname?: string; avatar?: string } = {};
  if (command.nickname !== undefined) change.nickname = command.nickname;
  if (command.avatar !== undefined) change.avatar = command.avatar;
  io.out(await session.deadline.race(session.profiles.update(change), 'updating the profile'));
  return ExitCode.OK;
}
