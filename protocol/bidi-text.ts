/**
 * Bidirectional text, kept from spoofing what is around it. Pure functions on strings, shared by
 * the page (preload/api.ts re-exports them), the desktop notifications and the CLI.
 *
 * The directional formatting characters: embeddings and overrides (U+202A LRE, U+202B RLE,
 * U+202C PDF, U+202D LRO, U+202E RLO), isolates (U+2066 LRI, U+2067 RLI, U+2068 FSI, U+2069 PDI)
 * and the marks (U+200E LRM, U+200F RLM, U+061C ALM). An override reorders letters, so
 * `invoice<RLO>fdp.exe` is drawn as `invoiceexe.pdf`; the marks only lean neutral characters
 * (spaces, digits, punctuation) one way and are what right-to-left writers type.
 */

const FSI = '\u2068';
const PDI = '\u2069';

/** Unicode's abbreviations of the embeddings, overrides and isolates, by character. */
const BIDI_CONTROL_NAMES: Readonly<Record<string, string>> = {
  '\u202a': 'LRE', '\u202b': 'RLE', '\u202c': 'PDF', '\u202d': 'LRO', '\u202e': 'RLO',
  '\u2066': 'LRI', '\u2067': 'RLI', '\u2068': 'FSI', '\u2069': 'PDI',
};

/** The embeddings, overrides and isolates (not the marks). Global: matchAll, split or replace only. */
export const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/gu;

/** Every directional formatting character, the marks included. Global: matchAll, split or replace only. */
export const BIDI_FORMATTING = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

/** The short name of an embedding, override or isolate (`RLO` for U+202E); undefined for any other character. */
export function bidiControlName(c: string): string | undefined {
  return BIDI_CONTROL_NAMES[c];
}

/**
 * The text with each embedding, override and isolate shown by name in angle brackets
 * (`invoice<RLO>fdp.exe`), the marks kept: what a file's name and a desktop notification show,
 * where a reader must see the trick rather than its effect.
 */
export function showBidiControls(text: string): string {
  return text.replace(BIDI_CONTROL, (c) => `<${BIDI_CONTROL_NAMES[c]!}>`);
}

/**
 * The text balanced, so it can sit inside an isolate: a PDI that closes nothing of its own is
 * dropped (it would close the isolate around it, and what follows it would leak out), and each
 * isolate it opens and leaves open is closed at its end. Embeddings and overrides need nothing:
 * the isolate's closing PDI ends them.
 */
export function balanceIsolates(text: string): string {
  if (!/[\u2066-\u2069]/u.test(text)) return text;
  let open = 0;
  let out = '';
  for (const c of text) {
    if (c === '\u2066' || c === '\u2067' || c === FSI) open++;
    else if (c === PDI) {
      if (open === 0) continue;
      open--;
    }
    out += c;
  }
  return out + PDI.repeat(open);
}

/**
 * The text as a first-strong isolate (FSI … PDI): set into a sentence ("Carol: hi", "Ann joined
 * the group"), it takes its own direction from its first letter, and nothing in it (an override, a
 * right-to-left name, an open embedding) reorders the words around it. For plain strings; an
 * element of its own takes `dir="auto"` instead. Empty text stays empty.
 */
export function isolateText(text: string): string {
  return text === '' ? '' : `${FSI}${balanceIsolates(text)}${PDI}`;
}

/** DEL and the C1 controls, which JSON.stringify leaves as they are (it escapes C0 only), and every directional formatting character. */
const TERMINAL_UNSAFE = new RegExp(`[\\u007f-\\u009f]|${BIDI_FORMATTING.source}`, 'gu');

/**
 * A JSON line for a terminal: no control character but the line's own end reaches it. JSON
 * escapes C0 (ESC as `\u001b`); DEL and C1 (U+009B is CSI to some terminals) and every
 * directional formatting character (`\u202e`) are escaped the same way. The same value to a JSON
 * reader, and nothing a terminal could take as a command or use to reorder the line.
 */
export function jsonForTerminal(value: unknown): string {
  return JSON.stringify(value).replace(TERMINAL_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A piece of a sentence as the page draws it: its words, and whether they are one isolate. */
export interface IsolatePiece {
  readonly text: string;
  readonly isolated: boolean;
}

/**
 * A sentence made with isolateText cut into its pieces, each outermost FSI … PDI (without those
 * two characters) an isolated piece: the page draws those as `<bdi>` elements, so the isolates
 * hold as before and the characters never reach the page's text (copy, find, screen readers).
 */
export function isolatePieces(text: string): IsolatePiece[] {
  const pieces: IsolatePiece[] = [];
  let depth = 0;
  let current = '';
  const flush = (isolated: boolean): void => {
    if (current !== '') pieces.push({ text: current, isolated });
    current = '';
  };
  for (const c of text) {
    if (c === FSI && depth === 0) {
      flush(false);
      depth = 1;
    } else if (c === PDI && depth === 1) {
      flush(true);
      depth = 0;
    } else {
      if (depth > 0 && (c === '\u2066' || c === '\u2067' || c === FSI)) depth++;
      else if (depth > 1 && c === PDI) depth--;
      current += c;
    }
  }
  // an isolate left open (never made by isolateText) runs to the end, still isolated
  flush(depth > 0);
  return pieces;
}
