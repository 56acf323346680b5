/**
 * The server's SQL placeholders in PostgreSQL's spelling: `?` becomes `$1`, `$2`, … in order, and
 * `@name` becomes one `$n` per distinct name (bound from an object, as better-sqlite3 does).
 * Placeholders inside string literals (also E'…' with backslash escapes and $tag$…$tag$ bodies),
 * quoted identifiers and comments are left alone; one left open is refused.
 */
export interface TranslatedSql {
  readonly text: string;
  /** Positional: how many `?`; named: the names in $n order. */
  readonly positional: number;
  readonly names: readonly string[];
}

export function translatePlaceholders(source: string): TranslatedSql {
  let text = '';
  let positional = 0;
  const names: string[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    const afterWord = i > 0 && /[A-Za-z0-9_$]/.test(source[i - 1]!);
    if ((ch === 'E' || ch === 'e') && source[i + 1] === "'" && !afterWord) {
      // an escape string: a backslash escapes the next character (a quote too), '' is a quote
      let j = i + 2;
      while (j < source.length && source[j] !== "'") j += source[j] === '\\' ? 2 : 1;
      if (j >= source.length) throw new TypeError("an E'…' string is not closed");
      text += source.slice(i, j + 1);
      i = j + 1;
    } else if (ch === '$' && !afterWord && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.test(source.slice(i))) {
      // a dollar-quoted body: everything up to the same $tag$ is text
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(source.slice(i))![0];
      const end = source.indexOf(tag, i + tag.length);
      if (end === -1) throw new TypeError(`a ${tag}…${tag} body is not closed`);
      text += source.slice(i, end + tag.length);
      i = end + tag.length;
    } else if (ch === "'" || ch === '"') {
      // a quote is escaped by doubling it, which this loop reads as the end and a new start
      const end = source.indexOf(ch, i + 1);
      const stop = end === -1 ? source.length : end + 1;
      text += source.slice(i, stop);
      i = stop;
    } else if (ch === '-' && source[i + 1] === '-') {
      const end = source.indexOf('\n', i);
      const stop = end === -1 ? source.length : end;
      text += source.slice(i, stop);
      i = stop;
    } else if (ch === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? source.length : end + 2;
      text += source.slice(i, stop);
      i = stop;
    } else if (ch === '?') {
      positional++;
      text += `$${positional}`;
      i++;
    } else if (ch === '@' && /[A-Za-z_]/.test(source[i + 1] ?? '')) {
      const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i + 1))!;
      const name = match[0];
      let index = names.indexOf(name);
      if (index === -1) index = names.push(name) - 1;
      text += `$${index + 1}`;
      i += 1 + name.length;
    } else {
      text += ch;
      i++;
    }
  }
  if (positional > 0 && names.length > 0) throw new TypeError('a statement mixes ? and @name placeholders');
  return { text, positional, names };
}
