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

/** The name with each control character replaced: a file's name as people are shown it and save it. */
export function replaceControlCharacters(name: string, replacement = '_'): string {
  return hasControlCharacter(name) ? [...name].map((c) => (hasControlCharacter(c) ? replacement : c)).join('') : name;
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
