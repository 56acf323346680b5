import { fromBinary } from '@bufbuild/protobuf';
import { ErrorCode, isGroupId, MagpieError, pb } from '../../protocol';
import { compareConversationItems, type HistoryCursor, type MessageView, type OutgoingContent, type SearchHit } from '../../preload/api';
import type { MagpieClient } from '../client/magpie-client';
import type { StoredMessage } from '../store';
import { localIdOfKey, messageKey, noticeAsMessageView, toMessageView } from '../views/message-view';
import { buildOutgoing } from './outgoing-message';

const DEFAULT_PAGE = 50;

/**
 * Chat as the user sees it: send every kind, retry and cancel, revoke, read, typing, local delete,
 * history pages and search. Every send is stored before it goes out (the outbox).
 */
export function createChatService(client: MagpieClient) {
  const { store } = client;

  function messageByKey(key: string): StoredMessage {
    const localId = localIdOfKey(key);
    const message = localId === undefined ? undefined : store.messages.getByLocalId(localId);
    if (!message) throw new MagpieError(ErrorCode.MESSAGE_NOT_FOUND, `no message ${key}`);
    return message;
  }

  /** A message as the page sees it; a failed one says why it was not sent. */
  function view(message: StoredMessage): MessageView {
    const shown = toMessageView(message);
    if (message.state !== 'failed' || !message.clientMsgId) return shown;
    const item = store.outbox.get(message.clientMsgId);
    if (item?.errorCode != null) shown.errorCode = item.errorCode;
    if (item?.errorMessage) shown.errorMessage = item.errorMessage;
    if (item?.errorTooLarge) shown.errorTooLarge = { ...item.errorTooLarge };
    return shown;
  }

  /** What a READ up to upTo may say: never over a burn-after-reading message not yet opened. */
  function readUpToOnWire(conversation: string, upTo: number): number | undefined {
    const unopened = store.messages.oldestUnburnedMsgId(conversation);
    const wire = unopened === undefined || upTo < unopened ? upTo : store.messages.newestIncomingMsgIdBefore(conversation, unopened);
    return wire !== undefined && wire > 0 ? wire : undefined;
  }

  /** Empties a received burn-after-reading message here; answers the READ that burns it everywhere. */
  function burnHere(key: string): { burned: StoredMessage; read: { conversation: string; upToMsgId: bigint } | undefined } {
    const message = messageByKey(key);
    if (!message.burnAfterReading || message.outgoing || message.msgId === null) {
      throw new MagpieError(ErrorCode.NOT_ALLOWED, 'only a received burn-after-reading message can be burned');
    }
    const burned = store.transaction(() => {
      const emptied = store.messages.markBurned(message.msgId!);
      store.conversations.refresh(message.conversation);
      return emptied;
    });
    const readUpTo = Math.max(message.msgId, store.conversations.get(message.conversation)?.readUpToMsgId ?? 0);
    const wire = readUpToOnWire(message.conversation, readUpTo);
    return { burned: burned ?? messageByKey(key), read: wire === undefined ? undefined : { conversation: message.conversation, upToMsgId: BigInt(wire) } };
  }

  /** A READ through the client's unsent reads: made offline, it is kept on disk until the server has it. */
  function fireRead(read: { conversation: string; upToMsgId: bigint }): void {
    client.sendRead({ conversation: read.conversation, upToMsgId: Number(read.upToMsgId) });
  }

  function sendRead(conversation: string, upTo: number): void {
    const wire = readUpToOnWire(conversation, upTo);
    if (wire !== undefined) fireRead({ conversation, upToMsgId: BigInt(wire) });
  }

  return {
    /** Stores the message as sending and hands it to the outbox; a transient custom message is only fired. */
    async send(conversation: string, content: OutgoingContent): Promise<MessageView> {
      // until the server's time replaces it, the server's clock as reckoned: a slow local clock would
      // put it above messages that came before it; and never before the chat's newest message, which
      // the reckoning (good to a few ms) could otherwise put a reply sent at once below
      const newest = store.messages.latest(conversation)?.timeMs ?? 0;
      const draft = buildOutgoing(client.selfId, conversation, content, Math.max(client.serverClock.now(), newest));
      if (content.kind === 'custom' && content.transient) {
        await client.request('SEND', draft.send);
        return { ...toMessageView({ ...draft.message, localId: 0, revoked: false, revokedBy: null, burned: false }), state: 'sent' };
      }
      const stored = store.outbox.enqueue({ message: draft.message, sendBody: draft.sendBody }, client.clock.now());
      client.submit(draft.clientMsgId, draft.send);
      return toMessageView(stored);
    },

    retry(key: string): MessageView {
      const message = messageByKey(key);
      if (!message.clientMsgId || !store.outbox.retry(message.clientMsgId, client.clock.now())) {
        throw new MagpieError(ErrorCode.NOT_ALLOWED, 'only a failed message can be sent again');
      }
      const item = store.outbox.get(message.clientMsgId);
      // a media message whose file is not up yet starts its upload again (media-outbox.ts)
      if (item && store.uploads.get(item.clientMsgId)) client.events.emit('uploadDue', item.clientMsgId);
      else if (item) client.submit(item.clientMsgId, fromBinary(pb.SendSchema, item.body));
      return view(messageByKey(key));
    },

    /** Withdraws a message not yet sent; returns its conversation. */
    cancel(key: string): string {
      const message = messageByKey(key);
      const upload = message.clientMsgId ? store.uploads.get(message.clientMsgId) : undefined;
      if (!message.clientMsgId || message.state === 'sent' || !store.outbox.cancel(message.clientMsgId)) {
        throw new MagpieError(ErrorCode.NOT_ALLOWED, 'only a message not yet sent can be cancelled');
      }
      store.conversations.refresh(message.conversation);
      // its upload stops at once and the server drops what it has (media-outbox.ts)
      if (upload) client.events.emit('uploadWithdrawn', upload);
      return message.conversation;
    },

    async revoke(key: string): Promise<void> {
      const message = messageByKey(key);
      if (message.msgId === null) throw new MagpieError(ErrorCode.NOT_ALLOWED, 'a message not yet sent cannot be revoked');
      await client.request('REVOKE', { msgId: BigInt(message.msgId) });
    },

    /**
     * Deletes a message on this device only; the conversation's summary follows. A message of mine
     * not yet sent is withdrawn as cancel() does: deleted, it must not go out later from the outbox.
     */
    deleteLocal(key: string): string {
      const message = messageByKey(key);
      if (message.outgoing && message.msgId === null && message.clientMsgId && store.outbox.get(message.clientMsgId)) return this.cancel(key);
      store.transaction(() => {
        store.messages.deleteLocally([message.localId]);
        store.conversations.refresh(message.conversation);
      });
      return message.conversation;
    },

    /**
     * Marks the conversation read here and tells the server (and so my other devices and the peer).
     * The READ stops before the oldest burn-after-reading message not yet opened: the server burns
     * what a READ covers, and such a message must stay until its reader opens it (burn below).
     */
    markRead(conversation: string): void {
      const upTo = store.conversations.markRead(conversation);
      if (upTo === undefined) return;
      sendRead(conversation, upTo);
    },

    /**
     * markRead, answered: resolves with the message id read up to once the server has the mark (a
     * command-line run ends right after it); undefined when nothing came in. Refused as the server
     * refuses a READ.
     */
    async markReadConfirmed(conversation: string): Promise<number | undefined> {
      store.conversations.markRead(conversation);
      // sent even when this device had marked it already: an earlier run may have ended first
      const newest = store.messages.newestIncomingMsgIdBefore(conversation, Number.MAX_SAFE_INTEGER);
      const wire = newest === undefined ? undefined : readUpToOnWire(conversation, newest);
      if (wire !== undefined) await client.request('READ', { conversation, upToMsgId: BigInt(wire) });
      return wire;
    },

    /**
     * The reader opened a burn-after-reading message and its countdown ran out: it is emptied here
     * at once, and the READ that covers it burns it on the server and at the sender.
     */
    burn(key: string): StoredMessage {
      const { burned, read } = burnHere(key);
      if (read) fireRead(read);
      return burned;
    },

    /** burn, answered: resolves once the server has the READ that burns it (a command-line run ends right after). */
    async burnConfirmed(key: string): Promise<StoredMessage> {
      const { burned, read } = burnHere(key);
      if (read) await client.request('READ', read);
      return burned;
    },

    typing(conversation: string, stopped: boolean): void {
      if (isGroupId(conversation)) return; // typing is shown in 1:1 chats only
      client.fire('TYPING', { to: conversation, stopped });
    },

    async readers(key: string): Promise<{ read: string[]; unread: string[] }> {
      const message = messageByKey(key);
      if (message.msgId === null) return { read: [], unread: [] };
      const answer = await client.request('READERS_QUERY', { msgId: BigInt(message.msgId) });
      return { read: [...answer.body.read], unread: [...answer.body.unread] };
    },

    /**
     * A page of history, oldest first, with group notices placed among the messages in the one order
     * of a conversation's items (compareConversationItems: time, then the inbox's order). The
     * cursor is the store's own order (time, row id): a batch stamped with one millisecond can
     * straddle a page's edge, and a time alone would drop the rest of it.
     */
    page(conversation: string, before: HistoryCursor | undefined, limit = DEFAULT_PAGE): { messages: MessageView[]; more: boolean; next?: HistoryCursor } {
      const cursor = before === undefined ? undefined : { beforeTimeMs: before.timeMs, beforeLocalId: localIdOfKey(before.key) ?? 0 };
      const rows = store.messages.page(conversation, limit + 1, cursor);
      const more = rows.length > limit;
      const page = more ? rows.slice(1) : rows;
      const views = page.map(view);
      if (isGroupId(conversation)) {
        const from = more ? page[0]!.timeMs : 0;
        const to = before?.timeMs ?? Number.MAX_SAFE_INTEGER;
        const notices = store.notices
          .listForGroup(conversation, 500)
          .filter((n) => n.timeMs >= from && n.timeMs < to)
          .map(noticeAsMessageView);
        views.push(...notices);
      }
      views.sort(compareConversationItems);
      const oldest = page[0];
      return oldest && more ? { messages: views, more, next: { timeMs: oldest.timeMs, key: messageKey(oldest) } } : { messages: views, more };
    },

    /** Newest first; with a conversation, only its messages. */
    search(query: string, limit = 50, conversation?: string): SearchHit[] {
      return store.search.search(query, { limit, ...(conversation === undefined ? {} : { conversation }) }).map((hit) => ({
        conversation: hit.conversation,
        key: String(hit.localId),
        from: hit.from,
        timeMs: hit.timeMs,
        snippet: hit.snippet.text,
        highlights: hit.snippet.highlights.map(({ start, end }) => ({ start, end })),
      }));
    },

    view,

  };
}

export type ChatService = ReturnType<typeof createChatService>;
