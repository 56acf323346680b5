import { UsageError } from '../usage';
import { didYouMean } from './closest-name';
import type { Command } from './parsed-command';
import { noMoreArguments, onlyOptions, type OptionName, type Values } from './flags';
import { conversationTarget, limitOf, msgIdArg, positiveInt } from './id-and-number-checks';
import { parseGroup } from './group-args';
import { parseSend } from './send-args';

const COMMANDS = ['send', 'download', 'revoke', 'read', 'burn', 'listen', 'history', 'outbox', 'search', 'group', 'profile'];

/** A command's positionals and flags as its Command; send and group have parsers of their own. */
export function parseCommand(name: string, sub: string | undefined, rest: readonly string[], values: Values): Command {
  const allow = (...names: OptionName[]): void => onlyOptions(values, names, name);
  const noMore = (extra: readonly (string | undefined)[]): void => noMoreArguments(extra, name);
  switch (name) {
    case 'send':
      return parseSend(sub, rest, values);
    case 'download': {
      allow('out');
      noMore(rest);
      const msgId = msgIdArg(name, sub);
      if (values.out === undefined || values.out === '') throw new UsageError('download needs --out DIR', name);
      return { kind: 'download', msgId, outDir: values.out };
    }
    case 'revoke':
    case 'burn':
      allow();
      noMore(rest);
      return { kind: name, msgId: msgIdArg(name, sub) };
    case 'listen':
      allow('count');
      noMore([sub, ...rest]);
      return { kind: 'listen', count: values.count === undefined ? undefined : positiveInt('--count', values.count, name) };
    case 'history': {
      allow('with', 'group', 'limit', 'offline');
      noMore([sub, ...rest]);
      const conversation = conversationTarget(values.with, values.group, '--with', name);
      return { kind: 'history', conversation, limit: limitOf(values, 50, name), offline: values.offline ?? false };
    }
    case 'read':
      allow('with', 'group');
      noMore([sub, ...rest]);
      return { kind: 'read', conversation: conversationTarget(values.with, values.group, '--with', name) };
    case 'outbox':
      allow();
      if (sub === 'discard') {
        const [id, ...more] = rest;
        noMore(more);
        if (id !== undefined && !/^[0-9a-fA-F]{32}$/.test(id)) {
          throw new UsageError(`outbox discard: ${JSON.stringify(id)} is not an outbox id (the 32 hex digits "magpie outbox" prints)`, name);
        }
        return { kind: 'outbox', flush: false, discard: { id: id?.toLowerCase() } };
      }
      if (sub !== undefined && sub !== 'flush') throw new UsageError(`unknown outbox command: ${sub}`, name);
      noMore(rest);
      return { kind: 'outbox', flush: sub === 'flush' };
    case 'search': {
      allow('limit');
      const query = [sub, ...rest].filter((p) => p !== undefined).join(' ').trim();
      if (query === '') throw new UsageError('search needs TEXT', name);
      return { kind: 'search', query, limit: limitOf(values, 50, name) };
    }
    case 'group':
      return { kind: 'group', group: parseGroup(sub, rest, values) };
    case 'profile':
      allow('nickname', 'avatar');
      if (sub !== 'set') throw new UsageError(sub === undefined ? 'profile needs a subcommand: set' : `unknown profile command: ${sub}`, name);
      noMore(rest);
      if (values.nickname === undefined && values.avatar === undefined) throw new UsageError('give --nickname N or --avatar URL', name);
      return { kind: 'profile', nickname: values.nickname, avatar: values.avatar };
    default:
      throw new UsageError(`unknown command: ${name}${didYouMean(name, COMMANDS)}`);
  }
}
