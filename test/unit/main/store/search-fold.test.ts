import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { foldCodePoint, foldForSearch, isWordChar, makeSnippet } from '../../../../main/store';
import { LAST_CODE_POINT, readUnicode61Reference } from '../../../support/unicode61-reference';
import { messageEntry, openTempStore } from './inbox-entries';

const marked = (text: string, query: string, maxChars = 200) => {
  const snippet = makeSnippet(text, query, maxChars);
  return snippet.highlights.map((h) => snippet.text.slice(h.start, h.end));
};

describe('a hit marks what the index matched, folded as the index folds', () => {
  it('folds every code point as SQLite\'s unicode61 tokenizer does', () => {
    const { wordChars, folds } = readUnicode61Reference();
    const wrong: string[] = [];
    for (let c = 0; c <= LAST_CODE_POINT && wrong.length < 20; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      if (isWordChar(c) !== wordChars.has(c)) wrong.push(`U+${c.toString(16)} word character: ${isWordChar(c)}`);
      else if (wordChars.has(c)) {
        const held = folds.get(c);
        const expected = held === undefined ? String.fromCodePoint(c) : held === 0 ? '' : String.fromCodePoint(held);
        if (foldCodePoint(c) !== expected) wrong.push(`U+${c.toString(16)} folds to ${JSON.stringify(foldCodePoint(c))}`);
      }
    }
    // on a new SQLite: npx tsx test/support/write-unicode61-tables.ts
    expect(wrong).toEqual([]);
  }, 60_000);

  it('marks accented, upper-case and full-width spellings of an accent-free query', () => {
    expect(marked('Meet at the Café, or CAFÉ, or ｃａｆé', 'cafe')).toEqual(['Café', 'CAFÉ', 'ｃａｆé']);
    // the query folds too: "café" marks "cafe", as it finds it
    expect(marked('a cafe and a Cafés', 'café')).toEqual(['cafe', 'Café']);
    expect(marked('Crème brûlée in İstanbul', 'creme brulee istanbul')).toEqual(['Crème', 'brûlée', 'İstanbul']);
  });

  it('takes a combining mark into the letter it sits on', () => {
    const text = 'the cafe\u0301 and the cafe\u0301\u0301s';
    expect(marked(text, 'cafe')).toEqual(['cafe\u0301', 'cafe\u0301\u0301s'.slice(0, 6)]);
    expect(marked(text, 'cafés')).toEqual(['cafe\u0301\u0301s']);
    // a query typed with combining marks is one word, as the index reads it
    expect(marked('the cafe here', 'cafe\u0301')).toEqual(['cafe']);
  });

  it('keeps emoji whole and marks around them', () => {
    const text = '😀 café 👩‍👩‍👧 Café! 🎉';
    const snippet = makeSnippet(text, 'cafe', 200);
    expect(snippet.highlights.map((h) => snippet.text.slice(h.start, h.end))).toEqual(['café', 'Café']);
    expect(snippet.highlights[0]!.start).toBe(3);
    // a snippet cut out of a long run of emoji starts and ends between them, never inside a pair
    const long = `${'😀'.repeat(40)} café ${'🎉'.repeat(40)}`;
    for (const max of [20, 21, 33]) {
      const cut = makeSnippet(long, 'cafe', max);
      expect(cut.text).not.toMatch(/\p{Cs}/u);
      expect(cut.highlights.map((h) => cut.text.slice(h.start, h.end))).toEqual(['café']);
    }
  });

  it('maps a match back over text whose folded length differs', () => {
    // "ﬁ" folds to two letters, "㎏" to "kg", "Ａ" to one: each is marked whole or not at all
    expect(marked('the ﬁle is 5 ㎏ of ＡＢＣ, not 5㎏', 'file kg abc')).toEqual(['ﬁle', '㎏', 'ＡＢＣ']);
    expect(marked('ﬁle', 'f')).toEqual(['ﬁ']);
    const { folded, starts, ends } = foldForSearch('Aﬁ\u0301😀');
    expect(folded).toBe('afi😀');
    expect(starts).toEqual([0, 1, 1, 3, 3]);
    expect(ends).toEqual([1, 3, 3, 5, 5]);
  });

  it('cuts text into the same characters (graphemes) as the platform does', () => {
    const pieces = ['a', 'Z', 'é', 'e', '\u0301', '\u0308', '\r', '\n', ' ', '爬', 'か', '\u3099', 'ｶ', '\uff9e', '한', '\u1100', '\u1161', '\u11a8',
      '😀', '🏽', '\u200d', '👩', '\ufe0f', '\u20e3', '🇨', '🇳', '\u0600', '1', '\u0915', '\u094d', '\u093f', 'Ω', '©', 'ﬁ', '\u0e33'];
    const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        const expected = [0, ...[...segmenter.segment(text)].map(({ index, segment }) => index + segment.length)];
        expect(foldForSearch(text).boundaries).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('marks Chinese and Japanese as the index reads them, full-width forms folded', () => {
    expect(marked('周末去爬山，ＯＫ？爬山的装备在Café', '爬山 ok cafe')).toEqual(['爬山', 'ＯＫ', '爬山', 'Café']);
    expect(marked('ｶﾀｶﾅ and カタカナ', 'カタ')).toEqual(['ｶﾀ', 'カタ']);
  });
});

describe('the marks agree with the search', () => {
  let temp: ReturnType<typeof openTempStore>;
  afterEach(() => temp.dispose());

  it('a message is found exactly when its snippet marks something', () => {
    const texts = [
      'Café au lait',
      'cafe\u0301 crème',
      'CAFÉ ＣＲＥＭＥ',
      '🥹café with a newer emoji stuck to it',
      '😀 café after an older one',
      'İstanbul ﬁles',
      'Straße',
      'Ελληνικά',
      '周末去爬山',
      'bewombed wombat',
    ];
    const queries = ['cafe', 'café', 'creme', 'istanbul', 'files', 'strasse', 'straße', 'ελληνικα', 'ελληνικά', '爬山', 'wom', 'ombat'];
    temp = openTempStore('alice');
    temp.store.ingest.ingestPage(texts.map((text, i) => messageEntry(i + 1, { msgId: i + 1, from: 'bob', to: 'alice', text })));
    for (const query of queries) {
      const found = temp.store.search.search(query).map((hit) => hit.msgId).sort();
      const marks = texts.flatMap((text, i) => (makeSnippet(text, query).highlights.length > 0 ? [i + 1] : []));
      expect({ query, found }).toEqual({ query, found: marks });
    }
    expect(temp.store.search.search('cafe').map((hit) => hit.msgId).sort()).toEqual([1, 2, 3, 5]);
  });
});
