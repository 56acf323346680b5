import { GROUP_LIMITS, hasControlCharacter, textChars, type GroupModeName } from '../../../preload/api';
import { capacityRule, GROUP_CAPACITIES } from '../../groups/group-service';
import { UsageError } from '../usage';
import { didYouMean } from './closest-name';
import type { GroupCommand } from './parsed-command';
import { noMoreArguments, onlyOptions, required, type OptionName, type Values } from './flags';
import { groupIdArg, limitOf, positiveInt, userId, userIdList, wholeNumber } from './id-and-number-checks';

function modeOf(mode: string, where: string): GroupModeName {
  if (mode !== 'public' && mode !== 'approval' && mode !== 'private') throw new UsageError(`--mode must be public, approval or private, not "${mode}"`, where);
  return mode;
}

/** An alias as the server takes it (trimmed): 1 to maxCardChars characters, counted as it counts them (code points), no control character. */
function cardOf(typed: string, where: string): string {
  const card = required('--card', typed, where).trim();
  const chars = textChars(card);
  if (chars > GROUP_LIMITS.maxCardChars) {
    throw new UsageError(`--card has ${chars} characters: at most ${GROUP_LIMITS.maxCardChars} (an emoji or a Chinese character counts one)`, where);
  }
  if (hasControlCharacter(card)) throw new UsageError('--card must not hold control characters (line breaks, escapes, direction overrides)', where);
  return card;
}

const GROUP_COMMANDS = [
  'create', 'join', 'quit', 'dismiss', 'apply', 'approve', 'reject', 'invite', 'kick', 'members', 'list', 'requests',
  'mute', 'role', 'transfer', 'dnd', 'mute-all', 'card', 'modify',
];

/** group SUBCOMMAND [flags]: every group operation. */
export function parseGroup(op: string | undefined, rest: readonly string[], values: Values): GroupCommand {
  const where = 'group';
  const allow = (...names: OptionName[]): void => onlyOptions(values, names, `group ${op ?? ''}`.trim(), where);
  noMoreArguments(rest, where);
  const groupId = (): string => groupIdArg(required('--group', values.group, where), where);
  const member = (): string => userId('--member', required('--member', values.member, where), where);
  const requestId = (): number => positiveInt('--request', required('--request', values.request, where), where);
  switch (op) {
    case 'create': {
      allow('name', 'mode', 'members', 'capacity');
      const mode = modeOf(values.mode ?? 'public', where);
      const create: GroupCommand = { op, name: required('--name', values.name, where), mode, members: userIdList('--members', values.members, where, false) };
      if (values.capacity === undefined) return create;
      const capacity = positiveInt('--capacity', values.capacity, where);
      if (!GROUP_CAPACITIES.includes(capacity)) throw new UsageError(`--capacity: ${capacityRule(capacity)}`, where);
      return { ...create, capacity };
    }
    case 'join':
    case 'quit':
    case 'dismiss':
      allow('group');
      return { op, groupId: groupId() };
    case 'apply':
      allow('group', 'reason');
      return { op, groupId: groupId(), reason: values.reason ?? '' };
    case 'approve':
      allow('group', 'request');
      return { op, groupId: groupId(), requestId: requestId() };
    case 'reject':
      allow('group', 'request', 'reason');
      return { op, groupId: groupId(), requestId: requestId(), reason: values.reason ?? '' };
    case 'invite':
    case 'kick':
      allow('group', 'members');
      return { op, groupId: groupId(), users: userIdList('--members', values.members, where, true) };
    case 'members':
      allow('group', 'limit');
      return { op, groupId: groupId(), limit: limitOf(values, 100, where) };
    case 'list':
    case 'requests':
      allow();
      return { op };
    case 'mute': {
      allow('group', 'member', 'seconds');
      const seconds = wholeNumber('--seconds', required('--seconds', values.seconds, where), where, 0);
      return { op, groupId: groupId(), user: member(), seconds };
    }
    case 'role': {
      allow('group', 'member', 'role');
      const role = required('--role', values.role, where);
      if (role !== 'admin' && role !== 'member') throw new UsageError(`--role must be admin or member, not "${role}"`, where);
      return { op, groupId: groupId(), user: member(), role };
    }
    case 'transfer':
      allow('group', 'member');
      return { op, groupId: groupId(), user: member() };
    case 'dnd':
    case 'mute-all':
      allow('group', 'on', 'off');
      if (values.on === values.off || (values.on ?? false) === (values.off ?? false)) throw new UsageError('give either --on or --off', where);
      return { op, groupId: groupId(), on: values.on ?? false };
    case 'card': {
      allow('group', 'card', 'clear', 'member');
      if ((values.card === undefined) === (values.clear !== true)) throw new UsageError('give either --card ALIAS or --clear', where);
      const card = values.clear === true ? '' : cardOf(values.card ?? '', where);
      return { op, groupId: groupId(), ...(values.member === undefined ? {} : { user: member() }), card };
    }
    case 'modify': {
      allow('group', 'name', 'announcement', 'mode');
      const { name, announcement, mode } = values;
      if (name === undefined && announcement === undefined && mode === undefined) throw new UsageError('give --name, --announcement or --mode', where);
      return {
        op,
        groupId: groupId(),
        ...(name === undefined ? {} : { name: required('--name', name, where) }),
        // an empty announcement clears it
        ...(announcement === undefined ? {} : { announcement }),
        ...(mode === undefined ? {} : { mode: modeOf(mode, where) }),
      };
    }
    case undefined:
      throw new UsageError('group needs a subcommand', where);
    default:
      throw new UsageError(`unknown group command: ${op}${didYouMean(op, GROUP_COMMANDS)}`, where);
  }
}
