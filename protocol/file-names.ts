/**
 * The most UTF-8 bytes of a name a client saves a file under: file systems take 255 (ext4, APFS),
 * and the CLI may add " (99)" to it. A sender's name of 255 characters (what the server takes) can
 * be 765 bytes of Chinese, which no Linux folder holds.
 */
export const MAX_SAVED_NAME_BYTES = 200;

/** The longest extension kept whole when a long name is cut: it picks the app that opens the file. */
const MAX_KEPT_EXTENSION_BYTES = 32;

/**
 * A file name cut to at most maxBytes of UTF-8 at a character's edge (never half an emoji), its
 * extension kept when it is short: the desktop's saved name and the web shell's download name alike.
 */
export function cutFileName(name: string, maxBytes = MAX_SAVED_NAME_BYTES): string {
  if (utf8Bytes(name) <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && utf8Bytes(name.slice(dot)) <= MAX_KEPT_EXTENSION_BYTES ? name.slice(dot) : '';
  let stem = '';
  let room = maxBytes - utf8Bytes(ext);
  for (const char of name.slice(0, name.length - ext.length)) {
    room -= utf8Bytes(char);
    if (room < 0) break;
    stem += char;
  }
  // the cut may leave a stem that ends in a dot or a space, which Windows drops
  return `${stem.replace(/[\s.]+$/u, '')}${ext}`;
}

/** A string's length in UTF-8 (a lone surrogate as U+FFFD's 3 bytes, as encoders write it), with no Node Buffer: the page runs this too. */
function utf8Bytes(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const code = char.codePointAt(0)!;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}
