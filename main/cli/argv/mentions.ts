import { isGroupId, MESSAGE_LIMITS } from '../../../protocol';
import { UsageError } from '../usage';
import type { Values } from './flags';
import { userIdList } from './id-and-number-checks';
import { isTextOnly } from './send-content';

/** How the desktop composer writes @everyone into a text: "@all", or its label in English or Chinese. */
const MENTION_ALL_LABELS = ['all', 'Everyone', '所有人'] as const;

/**
 * send's --mention U,V and --mention-all: group texts only. The desktop app mentions a user only
 * while its text still holds "@name" for them, so the text must hold "@ID" for each user named,
 * and "@all" (or the app's "@Everyone", "@所有人") for --mention-all. The server's count and id
 * rules are checked here, so a refused list is never stored and left failed in the outbox.
 */
export function mentionsOf(values: Values, to: string, command: string): { mentions?: string[]; mentionAll?: true } {
  const all = values['mention-all'] ?? false;
  if (values.mention === undefined && !all) return {};
  const both = values.mention !== undefined && all;
  const flags = both ? '--mention and --mention-all' : values.mention !== undefined ? '--mention' : '--mention-all';
  if (!isGroupId(to)) throw new UsageError(`${flags}: mentions are for group messages (--group GID), not --to`, command);
  if (!isTextOnly(values, command)) throw new UsageError(`${flags} ${both ? 'go' : 'goes'} with --text T (a mention is part of a text)`, command);
  const text = values.text!;
  const mentioned: { mentions?: string[]; mentionAll?: true } = {};
  if (values.mention !== undefined) {
    const users = [...new Set(userIdList('--mention', values.mention, command, true))];
    if (users.length > MESSAGE_LIMITS.maxMentions) {
      throw new UsageError(`--mention names ${users.length} users; the server takes at most ${MESSAGE_LIMITS.maxMentions} in one message`, command);
    }
    const unnamed = users.filter((u) => !text.includes(`@${u}`));
    if (unnamed.length > 0) {
      throw new UsageError(`--text must name each user it mentions, as the app writes it: add ${unnamed.map((u) => `"@${u}"`).join(', ')} to it`, command);
    }
    mentioned.mentions = users;
  }
  if (all) {
    if (!MENTION_ALL_LABELS.some((label) => text.includes(`@${label}`))) {
      throw new UsageError('--text must say whom --mention-all calls, as the app writes it: add "@all" to it', command);
    }
    mentioned.mentionAll = true;
  }
  return mentioned;
}
