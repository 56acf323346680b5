import { afterEach, describe, expect, it } from 'vitest';
import { foldForSearch, makeSnippet, normalizeForSearch, toIndexedText, toMatchExpression } from '../../../../main/store';
import { messageEntry, openTempStore } from './inbox-entries';

const folded = (text: string): string => foldForSearch(text).folded;
const marked = (text: string, query: string): string[] => {
  const snippet = makeSnippet(text, query, 200);
  return snippet.highlights.map((h) => snippet.text.slice(h.start, h.end));
};

/**
 * Search folds Greek accents and Cyrillic ё as it folds Latin accents: "αθηνα" finds "Αθήνα",
 * "елка" finds "ёлка". unicode61 folds Latin diacritics only, so neither was found.
 */
describe('Greek and Cyrillic marks fold in search', () => {
  it('folds Greek tonos, dialytika and polytonic marks, and ё to е; keeps й, ї and ў', () => {
    expect(folded('Αθήνα')).toBe('αθηνα');
    expect(folded('ΐ ϊ ΰ ώ')).toBe('ι ι υ ω');
    expect(folded('Ἀθῆναι ᾠδή')).toBe('αθηναι ωδη');
    expect(folded('ёлка ЁЛКА')).toBe('елка елка');
    // a mark written apart from its letter folds the same
    expect(folded('е\u0308лка Αθη\u0301να')).toBe('елка αθηνα');
    // letters of their own, not е or и with a mark
    expect(folded('йод ї ў ѓ')).toBe('йод ї ў ѓ');
    expect(normalizeForSearch('Ёж в Αθήνα, café')).toBe('Еж в Αθηνα, café');
    expect(toIndexedText('Ёлка 北京')).toBe('Елка  北  京 ');
  });

  it('marks the accented spellings of an unaccented query, and the other way round', () => {
    expect(marked('Ζω στην Αθήνα, ΑΘΗΝΑ', 'αθηνα')).toEqual(['Αθήνα', 'ΑΘΗΝΑ']);
    expect(marked('Ёлка и елка', 'ёлка')).toEqual(['Ёлка', 'елка']);
    expect(marked('йод и иод', 'йод')).toEqual(['йод']);
  });

  it('asks for the folded spelling only, whichever was typed', () => {
    expect(toMatchExpression('Αθήνα café')).toBe('"αθηνα"* AND "cafe"*');
    expect(toMatchExpression('αθηνα')).toBe('"αθηνα"*');
    expect(toMatchExpression('ёлка')).toBe('"елка"*');
  });
});

describe('Greek and Cyrillic search in a real store', () => {
  let temp: ReturnType<typeof openTempStore>;
  afterEach(() => temp.dispose());

  const texts = [
    'Ζω στην Αθήνα', // 1
    'ΑΘΗΝΑ 2004', // 2
    'Ἀθῆναι, polytonic', // 3
    'ёлка на Новый год', // 4
    'Ёлки-палки', // 5
    'елка без точек', // 6
    'йод', // 7
    'иод', // 8
  ];
  const seed = (): void => {
    temp = openTempStore('alice');
    temp.store.ingest.ingestPage(texts.map((text, i) => messageEntry(i + 1, { msgId: i + 1, from: 'bob', to: 'alice', text })));
  };
  const found = (query: string): number[] => temp.store.search.search(query).map((hit) => hit.msgId!).sort();

  it('finds Greek with or without accents, and е and ё alike, never й for и', () => {
    seed();
    expect(found('αθηνα')).toEqual([1, 2, 3]);
    expect(found('Αθήνα')).toEqual([1, 2, 3]);
    expect(found('ΑΘΗΝΑΙ')).toEqual([3]);
    expect(found('елка')).toEqual([4, 6]);
    expect(found('ёлка')).toEqual([4, 6]);
    expect(found('елк')).toEqual([4, 5, 6]);
    expect(found('ЁЛКИ')).toEqual([5]);
    expect(found('йод')).toEqual([7]);
    expect(found('иод')).toEqual([8]);
    // what is found is what is marked
    for (const query of ['αθηνα', 'Αθήνα', 'ёлка', 'елк', 'йод']) {
      const marks = texts.flatMap((text, i) => (makeSnippet(text, query).highlights.length > 0 ? [i + 1] : []));
      expect({ query, found: found(query) }).toEqual({ query, found: marks });
    }
  });

  it('a store indexed before the folding finds every spelling once its migration (0013) ran, and its other texts are left as they were', () => {
    seed();
    // the index as an earlier version wrote it: NFKC only, so "αθήνα" and "ёлка" kept their marks
    const { db } = temp.store;
    for (const [i, text] of texts.entries()) {
      db.prepare('DELETE FROM message_search WHERE rowid = ?').run(i + 1);
      db.prepare('INSERT INTO message_search (rowid, body) VALUES (?, ?)').run(i + 1, text.normalize('NFKC'));
    }
    expect(found('αθηνα')).toEqual([2]);
    expect(found('елка')).toEqual([6]);
    db.pragma('user_version = 12');
    temp.reopen();
    expect(temp.store.db.pragma('user_version', { simple: true })).toBeGreaterThanOrEqual(13);
    expect(found('αθηνα')).toEqual([1, 2, 3]);
    expect(found('Αθήνα')).toEqual([1, 2, 3]);
    expect(found('елка')).toEqual([4, 6]);
    expect(found('йод')).toEqual([7]);
  });
});
