import type { Migration } from '../migrate';

/**
 * The search index merges its segments only when asked. FTS5's automerge runs inside the commit
 * that crosses its threshold and merges whole terms, so on a large index one commit could hold
 * the event loop for tens of ms; ingest and rebuild ask for a few pages of merging after every
 * chunk instead (search-merge.ts). crisismerge stays on: if nothing asks for long, a level that
 * collects 16 segments is still merged.
 */
export const migration0003: Migration = {
  version: 3,
  name: 'search-merge-in-steps',
  up(db) {
    db.exec(`INSERT INTO message_search (message_search, rank) VALUES ('automerge', 0)`);
  },
};
