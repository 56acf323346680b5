import { isGroupId } from '../../../protocol';
import type { CoreDeps, HandlerSlice } from './deps';

type ConversationMethods =
  | 'conversations.list' | 'conversation.markRead' | 'conversation.setDraft' | 'conversation.setPinned'
  | 'conversation.setMuted' | 'conversation.remove';

/** The conversation list and each conversation's local state (read, draft, pin, mute). */
export function createConversationHandlers(deps: CoreDeps): HandlerSlice<ConversationMethods> {
  return {
    'conversations.list': () => {
      const session = deps.requireSession();
      return session.client.store.conversations.list(500).map((c) => session.conversationView(c));
    },
    'conversation.markRead': (args) => {
      const session = deps.requireSession();
      session.chat.markRead(args.conversation);
      deps.emitConversation(session, args.conversation);
      return null;
    },
    'conversation.setDraft': (args) => {
      const session = deps.requireSession();
      session.client.store.conversations.setDraft(args.conversation, args.draft, session.client.clock.now());
      deps.emitConversation(session, args.conversation);
      return null;
    },
    'conversation.setPinned': (args) => {
      const session = deps.requireSession();
      session.client.store.conversations.setPinned(args.conversation, args.pinned);
      deps.emitConversation(session, args.conversation);
      return null;
    },
    'conversation.setMuted': async (args) => {
      const session = deps.requireSession();
      // both kept on the server so the offline push respects them: a group's mute is its
      // do-not-disturb; a one-to-one mute is sent now, or with the next login when offline
      if (!isGroupId(args.conversation)) {
        await session.mutes.set(args.conversation, args.muted);
      } else {
        session.client.store.conversations.setMuted(args.conversation, args.muted);
        if (session.client.status.state === 'online') await session.groups.setDnd(args.conversation, args.muted);
      }
      deps.emitConversation(session, args.conversation);
      return null;
    },
    'conversation.remove': (args) => {
      // as a common messenger's "delete chat": this device only; a new message brings it back
      deps.requireSession().client.store.conversations.remove(args.conversation);
      deps.emit('conversation.removed', { conversation: args.conversation });
      return null;
    },
  };
}
