import { codePointLabel, controlCharacterName, SHOWN_CONTROL_CHARACTER } from '../../../../preload/api';

/**
 * A message's text as the bubble shows it: web addresses as links, the rest as plain text, each
 * control character but tab and line break as its name (ESC, BEL: controlCharacterName), marked
 * apart from the words. The pieces are rendered as text nodes, <a> and <span> elements by the
 * template, never as HTML.
 */
export interface TextPiece {
  readonly text: string;
  /** Set on a web address: where the link goes (http or https only). */
  readonly href?: string;
  /** Set on a control character, whose name is the text: its code point (U+001B). */
  readonly control?: string;
}

/** Plain text cut at its control characters, each one a piece of its own; a CR before a LF dropped. */
function plainPieces(text: string): TextPiece[] {
  const plain = text.replace(/\r\n/gu, '\n');
  const pieces: TextPiece[] = [];
  let at = 0;
  for (const match of plain.matchAll(SHOWN_CONTROL_CHARACTER)) {
    if (match.index > at) pieces.push({ text: plain.slice(at, match.index) });
    pieces.push({ text: controlCharacterName(match[0]), control: codePointLabel(match[0]) });
    at = match.index + match[0].length;
  }
  if (at < plain.length || pieces.length === 0) pieces.push({ text: plain.slice(at) });
  return pieces;
}

/** A web address runs to whitespace, a control character, a quote or angle bracket, or Chinese punctuation. */
// eslint-disable-next-line no-control-regex -- a control character ends an address
const WEB_ADDRESS = /https?:\/\/[^\s\u0000-\u001f\u007f-\u009f<>"'`，。！？、；：（）【】《》「」]+/giu;
/** Punctuation that ends a sentence rather than the address ("see https://a.com/x."). */
const TRAILING = /[.,;:!?'")\]}]+$/u;

/** The address's own end: a closing bracket stays when the address opened one (wiki links). */
function trimTrailing(candidate: string): string {
  const trailing = TRAILING.exec(candidate)?.[0] ?? '';
  let end = candidate.length - trailing.length;
  for (const ch of trailing) {
    const open = ch === ')' ? '(' : ch === ']' ? '[' : null;
    const body = candidate.slice(0, end);
    if (open && body.split(open).length > body.split(ch).length) end += 1;
    else break;
  }
  return candidate.slice(0, end);
}

export function textPieces(text: string): TextPiece[] {
  const pieces: TextPiece[] = [];
  let at = 0;
  for (const match of text.matchAll(WEB_ADDRESS)) {
    const address = trimTrailing(match[0]);
    let href: string | null = null;
    try {
      const url = new URL(address);
      if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname) href = url.href;
    } catch {
      href = null;
    }
    if (!href) continue;
    if (match.index > at) pieces.push(...plainPieces(text.slice(at, match.index)));
    pieces.push({ text: address, href });
    at = match.index + address.length;
  }
  if (at < text.length || pieces.length === 0) pieces.push(...plainPieces(text.slice(at)));
  return pieces;
}

const KANA = /[\u3040-\u30ff]/u;
const HANGUL = /[\uac00-\ud7af\u1100-\u11ff]/u;
const HAN = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]/u;

/**
 * The language to mark a message's text with, so its Chinese characters take Chinese glyph forms
 * whatever the UI's language (the browser picks Japanese forms for Han in an English page);
 * undefined leaves the page's.
 */
export function textLang(text: string): string | undefined {
  if (KANA.test(text)) return 'ja';
  if (HANGUL.test(text)) return 'ko';
  if (HAN.test(text)) return 'zh-CN';
  return undefined;
}
