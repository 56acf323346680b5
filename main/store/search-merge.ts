import type { Database } from 'better-sqlite3';

/**
 * Pages of search-index merging asked for per message indexed: enough to keep the index's segments
 * from piling up (about a dozen at 1,000,000 messages, as FTS5's own automerge leaves), spread
 * thinly over every chunk of work.
 */
const MERGE_PAGES_PER_MESSAGE = 0.1;

/**
 * The search index merges its segments only when asked (migrations/0003-search-merge-in-steps.ts).
 * Whoever indexes many messages asks after each chunk, in proportion to what it indexed; FTS5
 * works in whole terms, so a step may write a little more than asked.
 */
export function prepareSearchMerge(db: Database): (messagesIndexed: number) => void {
  const merge = db.prepare<[number]>("INSERT INTO message_search (message_search, rank) VALUES ('merge', ?)");
  return (messagesIndexed) => {
    if (messagesIndexed > 0) merge.run(Math.ceil(messagesIndexed * MERGE_PAGES_PER_MESSAGE));
  };
}
