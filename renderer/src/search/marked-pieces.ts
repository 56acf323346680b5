/**
 * A search hit's snippet cut into the pieces the page draws: the words that matched the query
 * (the core's highlight ranges) and the words between them. Text only: the page draws each piece
 * as text, a matched one inside a <mark>, never as HTML.
 */
export interface MarkedPiece {
  readonly text: string;
  readonly matched: boolean;
}

export function markedPieces(text: string, ranges: readonly { readonly start: number; readonly end: number }[]): MarkedPiece[] {
  const pieces: MarkedPiece[] = [];
  let at = 0;
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  for (const range of sorted) {
    // a range out of the text or overlapping the one before is clamped, never a piece twice
    const start = Math.max(at, Math.min(range.start, text.length));
    const end = Math.max(start, Math.min(range.end, text.length));
    if (end === start) continue;
    if (start > at) pieces.push({ text: text.slice(at, start), matched: false });
    pieces.push({ text: text.slice(start, end), matched: true });
    at = end;
  }
  if (at < text.length) pieces.push({ text: text.slice(at), matched: false });
  return pieces;
}
