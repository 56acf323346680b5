import { FOLD_RUNS, WORD_CHAR_RANGES } from './unicode61-tables';

/**
 * Text folded the way the message index folds it, so the query and the marks in a hit agree with
 * what the index matched. The index holds NFKC text (Greek and Cyrillic marks folded:
 * normalizeForSearch) read by SQLite's unicode61 tokenizer with
 * remove_diacritics 2: full-width and compatibility forms become plain ones ("ＣＡＦＥ" is "CAFE"),
 * letters lose their case and Latin letters their diacritics ("Café" is "cafe"), and SQLite's own
 * tables (unicode61-tables.ts, read from it) say which characters make words and what each folds
 * to; a test checks them against SQLite for every code point.
 */

function lastAtOrBefore(table: readonly number[], width: number, codePoint: number): number {
  let lo = 0;
  let hi = table.length / width - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (table[mid * width]! <= codePoint) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * Greek and Cyrillic letters whose marks search ignores on top of unicode61, which folds only
 * Latin ones: Greek loses tonos, dialytika and the polytonic marks ("Αθήνα" is "αθηνα", "ϊ" is
 * "ι"), as Greek readers search; Cyrillic "ё" is "е", as Russian text mostly writes it. Other
 * Cyrillic letters with marks are letters of their own ("й" is not "и", "ї" not "і") and stay.
 */
const SCRIPT_FOLDED_LETTER_ONE = /[\u0370-\u03ff\u1f00-\u1fff\u0401\u0451]/u;
const SCRIPT_FOLDED_LETTER = new RegExp(SCRIPT_FOLDED_LETTER_ONE.source, 'gu');
/** True for a text holding a letter normalizeForSearch folds (migration 0013 reindexes those). */
export function hasScriptFoldedLetter(text: string): boolean {
  return SCRIPT_FOLDED_LETTER_ONE.test(text);
}
const MARKS = /\p{M}+/gu;

function foldLetterMarks(letter: string): string {
  if (letter === '\u0451') return '\u0435';
  if (letter === '\u0401') return '\u0415';
  const base = letter.normalize('NFD').replace(MARKS, '');
  return base === '' ? letter : base;
}

/**
 * The one normalisation of searched text, for the index (toIndexedText) and for the query and
 * marks (foldForSearch), so the two agree: NFKC, then the Greek and Cyrillic marks above folded.
 * unicode61 then does the rest (case, Latin diacritics) in the index, and the tables here for the
 * query. A change here changes what the index must hold: a client store migration reindexes
 * the messages it changes (as 0013 did for these letters).
 */
export function normalizeForSearch(text: string): string {
  return text.normalize('NFKC').replace(SCRIPT_FOLDED_LETTER, foldLetterMarks);
}

/** True for a code point the index takes as part of a word. */
export function isWordChar(codePoint: number): boolean {
  const i = lastAtOrBefore(WORD_CHAR_RANGES, 2, codePoint);
  return i >= 0 && codePoint <= WORD_CHAR_RANGES[i * 2 + 1]!;
}

/** What the index keeps of a code point: itself or its folded form, '' for a dropped diacritic mark. */
export function foldCodePoint(codePoint: number): string {
  const i = lastAtOrBefore(FOLD_RUNS, 4, codePoint) * 4;
  if (i >= 0 && codePoint <= FOLD_RUNS[i + 1]! && (codePoint - FOLD_RUNS[i]!) % FOLD_RUNS[i + 2]! === 0) {
    const delta = FOLD_RUNS[i + 3]!;
    return delta === 0 ? '' : String.fromCodePoint(codePoint + delta);
  }
  return String.fromCodePoint(codePoint);
}

/** The word characters as the body of a character class for a u-flag pattern. */
export function wordCharClass(): string {
  let body = '';
  for (let i = 0; i < WORD_CHAR_RANGES.length; i += 2) {
    body += `\\u{${WORD_CHAR_RANGES[i]!.toString(16)}}-\\u{${WORD_CHAR_RANGES[i + 1]!.toString(16)}}`;
  }
  return body;
}

export interface FoldedText {
  readonly folded: string;
  /** For each UTF-16 unit of folded: where the character (grapheme) it came from starts in the text. */
  readonly starts: readonly number[];
  /** For each UTF-16 unit of folded: where that grapheme ends in the text. */
  readonly ends: readonly number[];
  /** Every grapheme boundary of the text, 0 and its length included: where it may be cut. */
  readonly boundaries: readonly number[];
}

/**
 * The text folded one grapheme at a time (so "e" and a combining acute fold together, an emoji's
 * surrogates stay together), with the grapheme each folded unit came from: a match in the folded
 * text maps back to whole characters of the text as written, even where folding changed its length
 * ("ﬁ" is "fi", "İ" is "i", a dropped accent is nothing).
 */
export function foldForSearch(text: string): FoldedText {
  let folded = '';
  const starts: number[] = [];
  const ends: number[] = [];
  const boundaries: number[] = [0];
  const add = (piece: string, start: number, end: number) => {
    folded += piece;
    for (let i = 0; i < piece.length; i++) {
      starts.push(start);
      ends.push(end);
    }
    boundaries.push(end);
  };
  let at = 0;
  while (at < text.length) {
    if (isLoneCharacter(text, at)) {
      add(foldGrapheme(text[at]!), at, at + 1);
      at += 1;
      continue;
    }
    // the rest up to the next character that stands alone, split into graphemes (the slower way)
    let next = at + 1;
    while (next < text.length && !isLoneCharacter(text, next)) next++;
    for (const { segment, index } of graphemeSegmenter().segment(text.slice(at, next))) {
      add(foldGrapheme(segment), at + index, at + index + segment.length);
    }
    at = next;
  }
  return { folded, starts, ends, boundaries };
}

/**
 * One segmenter for every call, made the first time a text needs it: making one loads the
 * locale's break rules, ~15 ms the first time, which a text of lone characters never needs.
 */
let segmenter: Intl.Segmenter | undefined;
function graphemeSegmenter(): Intl.Segmenter {
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  return segmenter;
}

function foldGrapheme(grapheme: string): string {
  const first = grapheme.charCodeAt(0);
  if (grapheme.length === 1 && first < 0x80) return first >= 0x41 && first <= 0x5a ? String.fromCharCode(first + 32) : grapheme;
  let piece = '';
  for (const ch of normalizeForSearch(grapheme)) {
    const codePoint = ch.codePointAt(0)!;
    piece += isWordChar(codePoint) ? foldCodePoint(codePoint) : ch;
  }
  return piece;
}

/**
 * Characters that never join a neighbour into one grapheme (none is a mark, a joiner, a prepended
 * sign, a jamo, CR or LF): Latin up to the combining marks, CJK punctuation up to its tone marks,
 * kana, Han, Hangul syllables and full-width forms up to the half-width sound marks.
 */
function standsAlone(code: number): boolean {
  return (
    (code < 0x300 && code !== 0x0a && code !== 0x0d) ||
    (code >= 0x3000 && code <= 0x3029) ||
    (code >= 0x3041 && code <= 0x3096) ||
    (code >= 0x30a0 && code <= 0x30ff) ||
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xff01 && code <= 0xff9d)
  );
}

/** A character that is a grapheme of its own, told without asking the segmenter (which is slow). */
function isLoneCharacter(text: string, at: number): boolean {
  return (
    standsAlone(text.charCodeAt(at)) &&
    (at === 0 || standsAlone(text.charCodeAt(at - 1))) &&
    (at + 1 === text.length || standsAlone(text.charCodeAt(at + 1)))
  );
}
