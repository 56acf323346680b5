import type { Migration } from '../migrate';
import { messageFromRow, searchableText, type MessageRow } from '../message-record';
import { hasScriptFoldedLetter } from '../search-fold';
import { prepareSearchMerge } from '../search-merge';
import { toIndexedText } from '../search-text';

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
    const chunk = db.prepare<[number, number], MessageRow>(`
      SELECT * FROM messages WHERE local_id > ? AND revoked = 0 AND burned = 0 AND deleted = 0 AND burn_after_reading = 0
      ORDER BY local_id LIMIT ?`);
    const unindex = db.prepare('DELETE FROM message_search WHERE rowid = ?');
    const indexText = db.prepare('INSERT INTO message_search (rowid, body) VALUES (?, ?)');
    const merge = prepareSearchMerge(db);
    for (let after = 0; ; ) {
      const rows = chunk.all(after, CHUNK_ROWS);
      if (rows.length === 0) return;
      let changed = 0;
      for (const row of rows) {
        const message = messageFromRow(row);
        const text = searchableText(message.text, message.body);
        if (!hasScriptFoldedLetter(text)) continue;
        unindex.run(row.local_id);
        indexText.run(row.local_id, toIndexedText(text));
        changed++;
      }
      if (changed > 0) merge(changed);
      after = rows[rows.length - 1]!.local_id;
    }
  },
};
