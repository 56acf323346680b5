import type { Migration } from '../migrate';
import { prepareReindex } from '../message-search';
import { hasScriptFoldedLetter } from '../search-fold';
import { prepareSearchMerge } from '../search-merge';

/** Messages read at a time: the store's memory stays small on a large history. */
const CHUNK_ROWS = 1_000;

/**
 * message_search  search folds Greek accents and Cyrillic ё as it folds Latin ones
 *                 (normalizeForSearch): the messages holding such a letter are indexed again, so
 *                 "αθηνα" finds "Αθήνα" and "елка" finds "ёлка" in the history stored before too.
 *                 Only those messages: every other text indexes as before. A history of Chinese
 *                 and English is read once and nothing is written.
 */
export const migration0013: Migration = {
  version: 13,
  name: 'search-fold-greek-cyrillic',
  up(db) {
    const reindex = prepareReindex(db);
    const merge = prepareSearchMerge(db);
    for (let after = 0; ; ) {
      const rows = reindex.chunk(after, CHUNK_ROWS);
      if (rows.length === 0) return;
      let changed = 0;
      for (const row of rows) if (reindex.row(row, hasScriptFoldedLetter)) changed++;
      if (changed > 0) merge(changed);
      after = rows[rows.length - 1]!.local_id;
    }
  },
};
