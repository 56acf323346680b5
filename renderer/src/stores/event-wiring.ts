/** Routes the core's events to the stores that hold what they change. Returns the unsubscribe. */
import { useMedia } from './media';
import { useBackend } from './backend';
import { useConversations } from './conversations';
import { touchesRequests, useGroups } from './groups';
import { useMessages } from './messages';
import { createProfileRefresh } from './profile-refresh';
import { useSession } from './session';
import { useTyping } from './typing';
import { useUi } from './ui';

export function wireEvents(): () => void {
  const backend = useBackend();
  const session = useSession();
  const conversations = useConversations();
  const messages = useMessages();
  const groups = useGroups();
  const typing = useTyping();
  const profileRefresh = createProfileRefresh();
  const offs = [
    backend.on('connection.state', (info) => session.onConnection(info)),
    backend.on('sync.progress', (p) => session.onSyncProgress(p)),
    backend.on('message.upserted', ({ message }) => {
      messages.upsert(message);
      const notice = message.kind === 'notice' ? message.notice : undefined;
      if (notice && touchesRequests(notice)) void groups.loadRequests();
      // my own id tells an applicant's answer from others' (groups.ts cannot ask the session: a cycle)
      if (notice) void groups.onNotice(notice, session.session?.userId);
      if (!message.outgoing) typing.stop(message.conversation, message.from);
    }),
    backend.on('message.removed', ({ conversation, key }) => messages.remove(conversation, key)),
    backend.on('conversation.updated', ({ conversation }) => conversations.upsert(conversation)),
    backend.on('conversation.removed', ({ conversation }) => conversations.remove(conversation)),
    backend.on('typing', (event) => typing.onTyping(event)),
    backend.on('notification.open', ({ conversation }) => {
      useUi().view = 'chats';
      void conversations.open(conversation);
    }),
    backend.on('group.updated', ({ group }) => groups.upsert(group)),
    backend.on('group.memberCard', ({ groupId, userId, card }) => groups.applyCard(groupId, userId, card)),
    backend.on('profiles.updated', ({ profiles }) => profileRefresh.apply(profiles)),
    backend.on('session.ended', (info) => session.onEnded(info)),
    backend.on('media.progress', (p) => useMedia().onProgress(p)),
  ];
  return () => {
    for (const off of offs) off();
  };
}
