import Database from 'better-sqlite3';

/**
 * What SQLite's own unicode61 tokenizer (remove_diacritics 2, as the message index is made) does
 * with every code point: whether it is part of a word, and what the word holds for it. Read from
 * SQLite itself, one row per code point between two letters, so the search fold's tables can be
 * made from it and checked against it.
 */
export interface Unicode61Reference {
  /** Code points inside a word (letters, digits, private use, unassigned, and the diacritic marks it drops). */
  readonly wordChars: Set<number>;
  /** Code point to what the word holds for it, where that differs; 0 where it is dropped. */
  readonly folds: Map<number, number>;
}

export const LAST_CODE_POINT = 0x10ffff;

export function readUnicode61Reference(): Unicode61Reference {
  const db = new Database(':memory:');
  try {
    db.exec(`
      CREATE VIRTUAL TABLE probe USING fts5(body, tokenize = 'unicode61 remove_diacritics 2');
      CREATE VIRTUAL TABLE probe_terms USING fts5vocab(probe, 'instance');`);
    const insert = db.prepare('INSERT INTO probe (rowid, body) VALUES (?, ?)');
    db.transaction(() => {
      for (let c = 0; c <= LAST_CODE_POINT; c++) {
        if (c >= 0xd800 && c <= 0xdfff) continue;
        insert.run(c, `q${String.fromCodePoint(c)}z`);
      }
    })();
    const wordChars = new Set<number>();
    const folds = new Map<number, number>();
    // a word character makes one term "q…z"; a separator splits it into "q" and "z"
    const terms = db.prepare<[], { term: string; doc: number; n: number }>(
      'SELECT doc, min(term) AS term, count(*) AS n FROM probe_terms GROUP BY doc',
    );
    for (const { term, doc, n } of terms.iterate()) {
      if (n !== 1) continue;
      wordChars.add(doc);
      const held = term.slice(1, -1);
      if (held === '') folds.set(doc, 0);
      else if (held !== String.fromCodePoint(doc)) folds.set(doc, held.codePointAt(0)!);
    }
    return { wordChars, folds };
  } finally {
    db.close();
  }
}
