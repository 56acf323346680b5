import type { ConversationStore } from './conversation-store';
import type { StoredMessage } from './message-record';

/**
 * What one ingest chunk's new messages owe the conversations table, written by flush() in one
 * update per conversation instead of three statements per message, and each conversation's
 * read-up-to, read once per chunk. Anything else that reads or writes conversations (read
 * receipts, revokes, burns, notices, confirmations of my own sends) runs after a flush, and the
 * chunk's transaction ends with one: between two chunks the UI may mark a conversation read.
 */
export interface ConversationBatch {
  readUpToMsgId(conversation: string): number;
  noteNewMessage(message: StoredMessage): void;
  /** Writes what was noted and forgets what was read. */
  flush(): void;
  /** Forgets everything without writing it: the chunk's transaction rolled back. */
  reset(): void;
}

interface Owed {
  newest: StoredMessage;
  unread: number;
  mentions: number;
}

export function createConversationBatch(conversations: ConversationStore): ConversationBatch {
  const owed = new Map<string, Owed>();
  const readUpTo = new Map<string, number>();
  const batch: ConversationBatch = {
    readUpToMsgId(conversation) {
      let upTo = readUpTo.get(conversation);
      if (upTo === undefined) {
        upTo = conversations.readUpToMsgId(conversation);
        readUpTo.set(conversation, upTo);
      }
      return upTo;
    },
    noteNewMessage(message) {
      const unread = message.state === 'received' && !message.revoked && !message.burned ? 1 : 0;
      const mentions = unread === 1 && message.mentionsMe ? 1 : 0;
      const current = owed.get(message.conversation);
      if (current === undefined) {
        owed.set(message.conversation, { newest: message, unread, mentions });
        return;
      }
      // the same order as the conversation's own "last message" rule: by time, then by local id
      const { newest } = current;
      if (message.timeMs > newest.timeMs || (message.timeMs === newest.timeMs && message.localId > newest.localId)) {
        current.newest = message;
      }
      current.unread += unread;
      current.mentions += mentions;
    },
    flush() {
      for (const { newest, unread, mentions } of owed.values()) conversations.noteNewMessages(newest, unread, mentions);
      batch.reset();
    },
    reset() {
      owed.clear();
      readUpTo.clear();
    },
  };
  return batch;
}
