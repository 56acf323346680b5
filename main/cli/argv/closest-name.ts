/**
 * The known name a mistyped one most likely meant (`--txt` for `--text`, `sned` for `send`): the
 * nearest by edit distance, within 2 edits and less than half the word, else none. Only a hint in a
 * usage error; nothing is ever run under the guessed name.
 */
export function closestName(word: string, names: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.min(2, Math.floor((word.length - 1) / 2));
  for (const name of names) {
    const distance = editDistance(word.toLowerCase(), name);
    if (distance <= bestDistance && (best === undefined || distance < bestDistance)) {
      best = name;
      bestDistance = distance;
    }
  }
  return best;
}

/** " (did you mean X?)" for a mistyped name with a likely meaning, else nothing. */
export function didYouMean(word: string, names: readonly string[]): string {
  const meant = closestName(word, names);
  return meant === undefined ? '' : ` (did you mean ${meant}?)`;
}

/** Levenshtein distance, with a swap of two neighbours counting as one edit (`sned`, `send`). */
function editDistance(a: string, b: string): number {
  const rows: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = value;
    }
  }
  return rows[a.length]![b.length]!;
}
