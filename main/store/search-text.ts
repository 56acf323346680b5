import { foldForSearch, normalizeForSearch, wordCharClass } from './search-fold';

/**
 * Search text for FTS5's unicode61 tokenizer, made to find Chinese (and Japanese, Korean) too.
 * unicode61 keeps a run of Han characters as one token, and trigram cannot match queries shorter
 * than three characters; so every CJK character is spaced into its own token when indexed, and a
 * query becomes a phrase of such tokens: "消息" matches the adjacent tokens 消 and 息. Latin words
 * stay words and match by prefix ("mag" finds "Magpie").
 */
const CJK_CHARACTER = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu;
const IS_CJK = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]$/u;

/** The text as it goes into the index. */
export function toIndexedText(text: string): string {
  return normalizeForSearch(text).replace(CJK_CHARACTER, ' $& ');
}

/**
 * The query's terms (split on spaces), each a list of its tokens as unicode61 will see them, folded
 * as the index folds (so the marks in a hit find them where the index did); empty terms dropped.
 */
export function queryTerms(query: string): string[][] {
  const separators = new RegExp(`[^${wordCharClass()}]+`, 'u');
  return foldForSearch(query).folded
    .split(/\s+/u)
    .map((term) =>
      term
        .replace(CJK_CHARACTER, ' $& ')
        .split(separators)
        .filter((token) => token !== ''),
    )
    .filter((tokens) => tokens.length > 0);
}

/**
 * An FTS5 MATCH expression: every term must match (AND), each term a quoted phrase, a Latin last
 * token matched as a prefix. Tokens hold letters and digits only, so quoting cannot be broken out
 * of. Undefined when the query has nothing to search for.
 */
export function toMatchExpression(query: string): string | undefined {
  const terms = queryTerms(query);
  if (terms.length === 0) return undefined;
  return terms.map(phraseOf).join(' AND ');
}

function phraseOf(tokens: readonly string[]): string {
  const last = tokens[tokens.length - 1]!;
  return `"${tokens.join(' ')}"${IS_CJK.test(last) ? '' : '*'}`;
}

export interface Snippet {
  readonly text: string;
  /** [start, end) ranges in text that matched the query. */
  readonly highlights: readonly { readonly start: number; readonly end: number }[];
}


function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');
}

/**
 * Each query term as a pattern over the folded text that finds what FTS5 matched: its tokens in a
 * row with only separators between them ("e-mail" finds "e-mail", "爬山" finds "爬山" and never a
 * lone 山), a Latin token from a word's start, whole but for the last, which may be a word's start
 * ("wom" finds "Wombat", not "bewombed").
 */
function termPatterns(query: string): RegExp[] {
  const wordChars = wordCharClass();
  const nonCjkWordChar = `(?:(?![\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}])[${wordChars}])`;
  const separatorChars = `[^${wordChars}]*`;
  return queryTerms(query).map((tokens) => {
    const parts = tokens.map((token, i) => {
      const cjk = IS_CJK.test(token);
      const start = cjk || i > 0 ? '' : `(?<!${nonCjkWordChar})`;
      const end = cjk || i === tokens.length - 1 ? '' : `(?!${nonCjkWordChar})`;
      return `${start}${escapeRegExp(token)}${end}`;
    });
    return new RegExp(parts.join(separatorChars), 'gu');
  });
}

/**
 * A short piece of the message around the first match, with the matches marked. Computed here
 * rather than by FTS5's snippet(), which would show the spaced index text; and cut from the text
 * as written, so full-width punctuation ("，") stays as it was typed.
 */
export function makeSnippet(text: string, query: string, maxChars = 64): Snippet {
  return createSnippetMaker(query)(text, maxChars);
}

/** makeSnippet for many messages and one query: its patterns are made once. */
export function createSnippetMaker(query: string): (text: string, maxChars?: number) => Snippet {
  const patterns = termPatterns(query);
  return (text, maxChars = 64) => snippetOf(text, patterns, maxChars);
}

function snippetOf(text: string, patterns: readonly RegExp[], maxChars: number): Snippet {
  const { folded, starts, ends, boundaries } = foldForSearch(text);
  // matched ranges in the written text, whole characters: from the start of the one the match's
  // first folded unit came from to the end of the one its last came from
  const hits: { start: number; end: number }[] = [];
  for (const pattern of patterns) {
    for (const match of folded.matchAll(pattern)) {
      if (match[0] === '') continue;
      hits.push({ start: starts[match.index]!, end: ends[match.index + match[0].length - 1]! });
    }
  }
  const anchor = hits.length > 0 ? Math.min(...hits.map((h) => h.start)) : 0;
  let start = Math.max(0, anchor - Math.floor(maxChars / 4));
  let end = Math.min(text.length, start + maxChars);
  start = Math.max(0, Math.min(start, end - maxChars));
  // cut between characters only, never inside an emoji's surrogate pair or before a combining mark
  start = boundaries.findLast((b) => b <= start) ?? 0;
  end = boundaries.findLast((b) => b <= end && b > start) ?? boundaries.find((b) => b > start) ?? text.length;
  const prefix = start > 0 ? '…' : '';
  const suffix = end < text.length ? '…' : '';
  const marked = new Array<boolean>(end - start).fill(false);
  for (const hit of hits) {
    for (let i = Math.max(hit.start, start); i < Math.min(hit.end, end); i++) marked[i - start] = true;
  }
  const highlights: { start: number; end: number }[] = [];
  marked.forEach((isMarked, i) => {
    if (!isMarked) return;
    const lastRange = highlights[highlights.length - 1];
    if (lastRange && lastRange.end === i + prefix.length) lastRange.end += 1;
    else highlights.push({ start: i + prefix.length, end: i + prefix.length + 1 });
  });
  return { text: prefix + text.slice(start, end) + suffix, highlights };
}
