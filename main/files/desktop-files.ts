import { replaceControlCharacters } from '../../protocol';

/**
 * What a desktop shell offers for a file the user opens or saves: the system's default app, and
 * the system's save dialog. The Electron shell implements it (main/electron/electron-files.ts);
 * the web shell has none, and its page uses the browser's own download instead.
 */
export interface DesktopFiles {
  /** Opens the file with the system's default app; resolves to an error text, '' when it opened. */
  openPath(path: string): Promise<string>;
  /** Asks where to save a file of this name; undefined when the user cancelled. */
  askSavePath(suggestedName: string): Promise<string | undefined>;
}

/**
 * The most UTF-8 bytes of a saved name: file systems take 255 (ext4, APFS), and the CLI may add
 * " (99)" to it. A sender's name of 255 characters (what the server takes) can be 765 bytes of
 * Chinese, which no Linux folder holds.
 */
export const MAX_SAFE_NAME_BYTES = 200;

/** The longest extension kept whole when a long name is cut: it picks the app that opens the file. */
const MAX_KEPT_EXTENSION_BYTES = 32;

/**
 * A sender's file name as one safe path segment, for the desktop's save dialog and the CLI's
 * download alike: no folders, no control characters (C0, DEL, C1) or characters Windows refuses,
 * at most MAX_SAFE_NAME_BYTES bytes (a long name loses the end of its stem, never its extension
 * or half a character), never empty.
 */
export function safeFileName(name: string, fallback: string): string {
  const last = replaceControlCharacters(name.replace(/\\/g, '/').split('/').at(-1) ?? '').replace(/[<>:"|?*]/g, '_');
  // no leading dot, as browsers save: a sender must not plant a hidden file (.bash_profile) in the
  // folder it is saved to; no trailing dot or space, which Windows drops
  const bare = last.replace(/^[\s.]+|[\s.]+$/gu, '');
  return bare === '' ? fallback : cutToBytes(bare, MAX_SAFE_NAME_BYTES);
}

/** The name cut to at most maxBytes of UTF-8 at a character's edge, its extension kept when it is short. */
function cutToBytes(name: string, maxBytes: number): string {
  if (Buffer.byteLength(name) <= maxBytes) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 && Buffer.byteLength(name.slice(dot)) <= MAX_KEPT_EXTENSION_BYTES ? name.slice(dot) : '';
  let stem = '';
  let room = maxBytes - Buffer.byteLength(ext);
  for (const char of name.slice(0, name.length - ext.length)) {
    room -= Buffer.byteLength(char);
    if (room < 0) break;
    stem += char;
  }
  // the cut may leave a stem that ends in a dot or a space, which Windows drops
  return `${stem.replace(/[\s.]+$/u, '')}${ext}`;
}
