import { toMessageView } from '../../views/message-view';
import { answerNothing, type CoreDeps, type HandlerSlice } from './deps';

type MessageMethods =
  | 'messages.page' | 'message.send' | 'message.retry' | 'message.cancel' | 'message.revoke'
  | 'message.deleteLocal' | 'message.burn' | 'message.readers' | 'typing.send' | 'search.messages';

/** Reading, sending and changing messages, typing, and search. */
export function createMessageHandlers(deps: CoreDeps): HandlerSlice<MessageMethods> {
  return {
    'messages.page': (args) => deps.requireSession().chat.page(args.conversation, args.before, args.limit),
    'message.send': async (args) => {
      const session = deps.requireSession();
      const view = await session.chat.send(args.conversation, args.content);
      deps.emitConversation(session, args.conversation);
      void deps.fetchProfiles(session, deps.unknownUsers(session, [args.conversation]));
      return view;
    },
    'message.retry': (args) => deps.requireSession().chat.retry(args.key),
    'message.cancel': (args) => {
      const session = deps.requireSession();
      const conversation = session.chat.cancel(args.key);
      deps.emit('message.removed', { conversation, key: args.key });
      deps.emitConversation(session, conversation);
      return null;
    },
    'message.revoke': (args) => answerNothing(deps.requireSession().chat.revoke(args.key)),
    'message.deleteLocal': (args) => {
      const session = deps.requireSession();
      const conversation = session.chat.deleteLocal(args.key);
      deps.emit('message.removed', { conversation, key: args.key });
      deps.emitConversation(session, conversation);
      return null;
    },
    'message.burn': (args) => {
      const session = deps.requireSession();
      const view = toMessageView(session.chat.burn(args.key));
      deps.emit('message.upserted', { message: view });
      deps.emitConversation(session, view.conversation);
      return view;
    },
    'message.readers': (args) => deps.requireSession().chat.readers(args.key),
    'typing.send': (args) => {
      deps.requireSession().chat.typing(args.conversation, args.stopped ?? false);
      return null;
    },
    'search.messages': (args) => deps.requireSession().chat.search(args.query, args.limit, args.conversation),
  };
}
