/**
 * Search text for FTS5's unicode61 tokenizer, made to find Chinese (and Japanese, Korean) too.
 * unicode61 keeps a run of Han characters as one token, and trigram cannot match queries shorter
 * than three characters; so every CJK character is spaced into its own token when indexed, and a
 * query becomes a phrase of such tokens: "消息" matches the adjacent tokens 消 and 息. Latin words
 * stay words and match by prefix ("mag" finds "Magpie").
 */
const CJK_CHARACTER = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu;
const IS_CJK = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]$/u;
// unicode61's token characters are letters, numbers and private use (categories L* N* Co)
const SEPARATORS = /[^\p{L}\p{N}\p{Co}]+/u;

function normalize(text: string): string {
  return text.normalize('NFKC');
}

/** The text as it goes into the index. */
export function toIndexedText(text: string): string {
  return normalize(text).replace(CJK_CHARACTER, ' $& ');
}

/** The tokens of one query term, as unicode61 will see them. */
function termTokens(term: string): string[] {
  return toIndexedText(term)
    .split(SEPARATORS)
    .filter((token) => token !== '');
}

/** The query's terms (split on spaces), each a list of tokens; empty terms dropped. */
export function queryTerms(query: string): string[][] {
  return normalize(query)
    .split(/\s+/u)
    .map(termTokens)
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
  return terms
    .map((tokens) => {
      const last = tokens[tokens.length - 1]!;
      return `"${tokens.join(' ')}"${IS_CJK.test(last) ? '' : '*'}`;
    })
    .join(' AND ');
}

export interface Snippet {
  readonly text: string;
  /** [start, end) ranges in text that matched the query. */
  readonly highlights: readonly { readonly start: number; readonly end: number }[];
}

/**
 * The text folded for matching (NFKC, lower case) one character at a time, with where each folded
 * unit came from, so a match found in the folded text maps back onto the text as written.
 */
function foldWithOrigins(text: string): { folded: string; origin: number[] } {
  let folded = '';
  const origin: number[] = [];
  let at = 0;
  for (const ch of text) {
    const piece = normalize(ch).toLowerCase();
    folded += piece;
    for (let i = 0; i < piece.length; i++) origin.push(at);
    at += ch.length;
  }
  origin.push(at);
  return { folded, origin };
}

const NON_CJK_TOKEN_CHAR = '(?:(?![\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}])[\\p{L}\\p{N}\\p{Co}])';
const SEPARATOR_CHARS = '[^\\p{L}\\p{N}\\p{Co}]*';

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
  return queryTerms(query).map((tokens) => {
    const parts = tokens.map((token, i) => {
      const cjk = IS_CJK.test(token);
      const start = cjk || i > 0 ? '' : `(?<!${NON_CJK_TOKEN_CHAR})`;
      const end = cjk || i === tokens.length - 1 ? '' : `(?!${NON_CJK_TOKEN_CHAR})`;
      return `${start}${escapeRegExp(token.toLowerCase())}${end}`;
    });
    return new RegExp(parts.join(SEPARATOR_CHARS), 'gu');
  });
}

/**
 * A short piece of the message around the first match, with the matches marked. Computed here
 * rather than by FTS5's snippet(), which would show the spaced index text; and cut from the text
 * as written, so full-width punctuation ("，") stays as it was typed.
 */
export function makeSnippet(text: string, query: string, maxChars = 64): Snippet {
  const { folded, origin } = foldWithOrigins(text);
  // matched ranges in the written text
  const hits: { start: number; end: number }[] = [];
  for (const pattern of termPatterns(query)) {
    for (const match of folded.matchAll(pattern)) {
      if (match[0] === '') continue;
      hits.push({ start: origin[match.index]!, end: origin[match.index + match[0].length]! });
    }
  }
  const anchor = hits.length > 0 ? Math.min(...hits.map((h) => h.start)) : 0;
  let start = Math.max(0, anchor - Math.floor(maxChars / 4));
  const end = Math.min(text.length, start + maxChars);
  start = Math.max(0, Math.min(start, end - maxChars));
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
