/**
 * The letter on an avatar: the first letter, digit or CJK character of the name, skipping
 * punctuation and symbols ('<' of `<b>鲍勃</b>`, quotes, brackets), so a name that looks like markup
 * still gets a real initial. Emoji count, as people use them as names. The result is text only.
 */
const WORD_CHAR = /[\p{L}\p{N}\p{Extended_Pictographic}]/u;

export function avatarInitial(name: string, fallback: string): string {
  for (const source of [name, fallback]) {
    const withoutTags = source.replace(/<[^>]*>/g, '');
    for (const text of [withoutTags, source]) {
      const first = [...text].find((ch) => WORD_CHAR.test(ch));
      if (first) return first.toUpperCase();
    }
  }
  return '?';
}
