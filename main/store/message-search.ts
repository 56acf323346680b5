import type { Database } from 'better-sqlite3';
import { messageFromRow, searchableText, type MessageRow } from './message-record';
import { prepareSearchMerge } from './search-merge';
import { createSnippetMaker, toIndexedText, toMatchExpression, type Snippet } from './search-text';

export interface SearchHit {
  readonly conversation: string;
  readonly localId: number;
  readonly msgId: number | null;
  readonly from: string;
  readonly timeMs: number;
  readonly snippet: Snippet;
}

export interface SearchOptions {
  /** Only this conversation. */
  readonly conversation?: string;
  /** At most this many hits (default 50). */
  readonly limit?: number;
  /** The next page: hits older than (stored before) this local id, from the last hit of the previous page. */
  readonly beforeLocalId?: number;
}

/**
 * Full-text search over this user's messages, newest first. Newest-first by rowid lets FTS5 stop
 * after `limit` hits instead of ranking every match, so a query costs the same on a large store.
 */
export interface MessageSearch {
  search(query: string, options?: SearchOptions): SearchHit[];
  /**
   * Rebuilds the index from the messages table in chunks that yield to the event loop between
   * them (for a future change of tokenisation). Resolves with the number of messages indexed.
   */
  rebuild(options?: { chunkRows?: number; signal?: AbortSignal }): Promise<number>;
}

/**
 * The searchable messages (not revoked, burned, deleted or burn-after-reading) in local_id order,
 * a chunk at a time, and one of them indexed again as the index now folds it: search.rebuild()
 * and client store migration 0013 both go through it.
 */
export function prepareReindex(db: Database): {
  chunk(afterLocalId: number, limit: number): MessageRow[];
  /** Indexes the row again when `only` (given its searchable text) holds; true when it did. */
  row(row: MessageRow, only?: (text: string) => boolean): boolean;
} {
  const chunk = db.prepare<[number, number], MessageRow>(`
    SELECT * FROM messages WHERE local_id > ? AND revoked = 0 AND burned = 0 AND deleted = 0 AND burn_after_reading = 0
    ORDER BY local_id LIMIT ?`);
  const indexText = db.prepare('INSERT INTO message_search (rowid, body) VALUES (?, ?)');
  const unindex = db.prepare('DELETE FROM message_search WHERE rowid = ?');
  return {
    chunk: (after, limit) => chunk.all(after, limit),
    row(row, only) {
      const message = messageFromRow(row);
      const text = searchableText(message.text, message.body);
      if (only && !only(text)) return false;
      unindex.run(row.local_id);
      if (text !== '') indexText.run(row.local_id, toIndexedText(text));
      return true;
    },
  };
}

export function createMessageSearch(db: Database): MessageSearch {
  const all = db.prepare<[string, number, number], MessageRow>(`
    SELECT m.* FROM message_search s JOIN messages m ON m.local_id = s.rowid
    WHERE message_search MATCH ? AND s.rowid < ?
    ORDER BY s.rowid DESC LIMIT ?`);
  const inConversation = db.prepare<[string, number, string, number], MessageRow>(`
    SELECT m.* FROM message_search s JOIN messages m ON m.local_id = s.rowid
    WHERE message_search MATCH ? AND s.rowid < ? AND m.conversation = ?
    ORDER BY s.rowid DESC LIMIT ?`);
  const clear = db.prepare('DELETE FROM message_search');
  const reindex = prepareReindex(db);
  const mergeSearch = prepareSearchMerge(db);

  return {
    search(query, options = {}) {
      const match = toMatchExpression(query);
      if (match === undefined) return [];
      const before = options.beforeLocalId ?? Number.MAX_SAFE_INTEGER;
      const limit = options.limit ?? 50;
      const rows =
        options.conversation === undefined
          ? all.all(match, before, limit)
          : inConversation.all(match, before, options.conversation, limit);
      const makeSnippet = createSnippetMaker(query);
      return rows.map((row) => {
        const message = messageFromRow(row);
        return {
          conversation: message.conversation,
          localId: message.localId,
          msgId: message.msgId,
          from: message.from,
          timeMs: message.timeMs,
          snippet: makeSnippet(searchableText(message.text, message.body)),
        };
      });
    },
    async rebuild({ chunkRows = 500, signal } = {}) {
      clear.run();
      let after = 0;
      let indexed = 0;
      for (;;) {
        signal?.throwIfAborted();
        const rows = reindex.chunk(after, chunkRows);
        if (rows.length === 0) return indexed;
        db.transaction(() => {
          // a message stored between two chunks is indexed already: indexed again, not twice
          for (const row of rows) reindex.row(row);
          mergeSearch(rows.length);
        })();
        indexed += rows.length;
        after = rows[rows.length - 1]!.local_id;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    },
  };
}
