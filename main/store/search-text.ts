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
 * A short piece of the message around the first match, with the matches marked. Computed here
 * rather than by FTS5's snippet(), which would show the spaced index text.
 */
export function makeSnippet(text: string, query: string, maxChars = 64): Snippet {
  const source = normalize(text);
  const lower = source.toLowerCase();
  const needles = queryTerms(query)
    .flatMap((tokens) => [tokens.join(''), ...tokens])
    .map((needle) => needle.toLowerCase())
    .filter((needle, i, all) => needle !== '' && all.indexOf(needle) === i)
    .sort((a, b) => b.length - a.length);
  const firstHit = needles.map((needle) => lower.indexOf(needle)).filter((at) => at >= 0);
  const anchor = firstHit.length > 0 ? Math.min(...firstHit) : 0;
  let start = Math.max(0, anchor - Math.floor(maxChars / 4));
  const end = Math.min(source.length, start + maxChars);
  start = Math.max(0, Math.min(start, end - maxChars));
  const prefix = start > 0 ? '…' : '';
  const suffix = end < source.length ? '…' : '';
  const window = source.slice(start, end);
  const windowLower = window.toLowerCase();
  const marked = new Array<boolean>(window.length).fill(false);
  for (const needle of needles) {
    for (let at = windowLower.indexOf(needle); at >= 0; at = windowLower.indexOf(needle, at + 1)) {
      for (let i = at; i < at + needle.length; i++) marked[i] = true;
    }
  }
  const highlights: { start: number; end: number }[] = [];
  marked.forEach((isMarked, i) => {
    if (!isMarked) return;
    const lastRange = highlights[highlights.length - 1];
    if (lastRange && lastRange.end === i + prefix.length) lastRange.end += 1;
    else highlights.push({ start: i + prefix.length, end: i + prefix.length + 1 });
  });
  return { text: prefix + window + suffix, highlights };
}
