import { cutFileName, replaceControlCharacters } from '../../protocol';

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
 * A sender's file name as one safe path segment, for the desktop's save dialog and the CLI's
 * download alike: no folders, no control characters (C0, DEL, C1) or characters Windows refuses,
 * at most MAX_SAVED_NAME_BYTES bytes (cutFileName, as the web shell's download name: a long name
 * loses the end of its stem, never its extension or half a character), never empty.
 */
export function safeFileName(name: string, fallback: string): string {
  const last = replaceControlCharacters(name.replace(/\\/g, '/').split('/').at(-1) ?? '').replace(/[<>:"|?*]/g, '_');
  // no leading dot, as browsers save: a sender must not plant a hidden file (.bash_profile) in the
  // folder it is saved to; no trailing dot or space, which Windows drops
  const bare = last.replace(/^[\s.]+|[\s.]+$/gu, '');
  return bare === '' ? fallback : cutFileName(bare);
}

