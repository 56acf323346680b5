/**
 * Limits of a message's content, shared by the server that enforces them and the client that
 * offers them (its composer counts against these), so the two never disagree. Pure constants and
 * the one way to count characters: the client's contract re-exports this file alone.
 */
export const MESSAGE_LIMITS = {
  /** Characters (Unicode code points, textChars) of a text message or a media caption. */
  maxTextChars: 5_000,
  maxMentions: 50,
  maxLocationTextChars: 256,
  maxCommandChars: 64,
  maxCustomPayloadBytes: 16 * 1024,
} as const;

/**
 * The largest upload the file service takes of each kind (the tus metadata's `kind`), in bytes: an
 * image 20 MiB, a voice message 2 MiB, any other file 100 MiB. The server's defaults
 * (server/tuning.ts maxImageBytes, maxVoiceBytes, maxFileBytes; a server's config may change them
 * and tells its clients at login, LOGIN_RESULT's `limits`).
 */
export const MEDIA_BYTE_LIMITS = {
  image: 20 * 1024 * 1024,
  voice: 2 * 1024 * 1024,
  file: 100 * 1024 * 1024,
} as const;

/**
 * The longest voice message, 60 s: what a SEND may announce (server/chat/content-limits.ts), the
 * server's default `maxVoiceDurationMs` (a config may only lower it) and where the app's recorder
 * stops.
 */
export const MAX_VOICE_DURATION_MS = 60_000;

/**
 * What a server takes that a client checks before it offers or sends, as LOGIN_RESULT's `limits`
 * tells it (docs/protocol.md, ServerLimits): the revoke window, the largest upload of each kind and
 * the longest voice message.
 */
export interface ServerLimits {
  readonly revokeWindowMs: number;
  readonly mediaBytes: { readonly image: number; readonly voice: number; readonly file: number };
  readonly maxVoiceDurationMs: number;
}

/**
 * The server's defaults (server/tuning.ts takes them): what a client assumes of a server that
 * sends no limits (an older one) or leaves one at 0, and before its first login.
 */
export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  revokeWindowMs: 2 * 60 * 1000,
  mediaBytes: MEDIA_BYTE_LIMITS,
  maxVoiceDurationMs: MAX_VOICE_DURATION_MS,
};

/**
 * Whether a name (a group's, a member card, a nickname, a file's) holds a control character (C0,
 * DEL, C1) or a bidirectional embedding, override or isolate (U+202A–U+202E, U+2066–U+2069), which
 * none may: a line break or an escape in a name breaks lists and terminals, and a direction
 * override shows a name as another (`gnp.exe` read as `exe.png`). Right-to-left names need none
 * of them: the marks U+200E/U+200F stay allowed.
 */
export function hasControlCharacter(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const unit = name.charCodeAt(i);
    if (unit <= 0x1f || (unit >= 0x7f && unit <= 0x9f) || (unit >= 0x202a && unit <= 0x202e) || (unit >= 0x2066 && unit <= 0x2069)) return true;
  }
  return false;
}

/** C0 controls but tab, LF and CR; DEL and C1: what a message's text may not hold. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const FORBIDDEN_TEXT_CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/u;
const FORBIDDEN_TEXT_CONTROLS = new RegExp(FORBIDDEN_TEXT_CONTROL.source, 'gu');

/**
 * The first control character a message's text may not hold, or undefined: C0 controls but tab,
 * line feed and carriage return, DEL and C1 (ESC, NUL, U+009B). Nothing draws them, and an escape
 * sequence from another user could rewrite a terminal that prints it; the server refuses them
 * (INVALID_MESSAGE). Direction formatting stays allowed in a text: the page and the CLI show it.
 */
export function forbiddenTextControl(text: string): string | undefined {
  return FORBIDDEN_TEXT_CONTROL.exec(text)?.[0];
}

/** The character a client sends in place of each control character a text may not hold (forbiddenTextControl). */
export const TEXT_CONTROL_REPLACEMENT = '\uFFFD';

/**
 * The text with each control character it may not hold (forbiddenTextControl) replaced by U+FFFD,
 * as a client sends a pasted text: the reader sees that something was there, and words either
 * side of it are not joined as a removal would join them. Tab and line breaks stay.
 */
export function replaceTextControls(text: string): string {
  return text.replace(FORBIDDEN_TEXT_CONTROLS, TEXT_CONTROL_REPLACEMENT);
}

/** The name with each control character replaced: a file's name as people are shown it and save it. */
export function replaceControlCharacters(name: string, replacement = '_'): string {
  return hasControlCharacter(name) ? [...name].map((c) => (hasControlCharacter(c) ? replacement : c)).join('') : name;
}

/** The C0 controls' standard abbreviations, by code (tab and line feed are kept as they are). */
const C0_NAMES = ['NUL', 'SOH', 'STX', 'ETX', 'EOT', 'ENQ', 'ACK', 'BEL', 'BS', 'HT', 'LF', 'VT', 'FF', 'CR', 'SO', 'SI',
  'DLE', 'DC1', 'DC2', 'DC3', 'DC4', 'NAK', 'SYN', 'ETB', 'CAN', 'EM', 'SUB', 'ESC', 'FS', 'GS', 'RS', 'US'];

/**
 * The name a control character is shown by: its abbreviation for C0 and DEL (ESC, BEL, NUL, DEL),
 * its code point for C1 (U+0085), which has no short name people know. Names rather than the
 * Control Pictures (␛, ␇) because few fonts have those: a system without one draws them as the
 * same boxes the controls themselves make.
 */
export function controlCharacterName(c: string): string {
  const unit = c.charCodeAt(0);
  if (unit <= 0x1f) return C0_NAMES[unit]!;
  if (unit === 0x7f) return 'DEL';
  return codePointLabel(c);
}

/** A character's code point as Unicode writes it: U+001B, U+0085. */
export function codePointLabel(c: string): string {
  return `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Each control character of a message's text that is not a tab or a line break (C0, DEL, C1),
 * which has no glyph (fonts draw a box) and is no instruction to the page. A CR before a line feed
 * is part of that line break. Global: use with matchAll, split or replace only.
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const SHOWN_CONTROL_CHARACTER = /\r(?!\n)|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/gu;

/**
 * A message's text as one line of plain text shows it (the chat list's preview, a search hit):
 * each control character named in angle brackets (`<ESC>`, `<BEL>`, `<U+0085>`), tabs and line
 * breaks kept. The words themselves are kept as they came (search and copy use them): only
 * what is drawn changes, and it is drawn as text, never as HTML. The bubble shows the same names,
 * marked apart from the words (renderer/src/components/chat/message-text.ts).
 */
export function showControlCharacters(text: string): string {
  return text.replace(/\r\n/gu, '\n').replace(SHOWN_CONTROL_CHARACTER, (c) => `<${controlCharacterName(c)}>`);
}

/**
 * A text's length in characters as the limits count them: Unicode code points, so an emoji
 * outside the Basic Multilingual Plane (two UTF-16 code units) is one character, as people see
 * it. A lone surrogate counts as one.
 */
export function textChars(text: string): number {
  let chars = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // a high surrogate followed by a low one is one code point: skip the low one
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    chars++;
  }
  return chars;
}

/**
 * A duration as people say it, in English (the server's and the CLI's messages): "2 minutes",
 * "1 minute 30 seconds", "1 hour", "500 ms" below a second. Whole units from days down to
 * seconds; what is left below a second of a longer duration is dropped.
 */
export function humanDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const units: [number, string][] = [[86_400, 'day'], [3600, 'hour'], [60, 'minute'], [1, 'second']];
  let seconds = Math.floor(ms / 1000);
  const parts: string[] = [];
  for (const [size, name] of units) {
    const count = Math.floor(seconds / size);
    seconds -= count * size;
    if (count > 0) parts.push(`${count} ${name}${count === 1 ? '' : 's'}`);
  }
  return parts.join(' ');
}
