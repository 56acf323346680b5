import { cutFileName } from '../../../preload/api';

/**
 * What the web shell may show in a new tab. The tab is a blob: URL of the app's own origin, so only
 * types that run no script are ever shown there: never text/html, SVG or XML (they would run script
 * with the app's rights); everything else is downloaded under the file's own name.
 */

/** Types a browser tab shows as they are, running nothing. */
const VIEWABLE_TYPES = new Set([
  'text/plain',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/bmp',
  'image/avif',
  'application/pdf',
  'audio/mpeg',
  'audio/ogg',
  'audio/wav',
  'audio/mp4',
  'audio/webm',
  'video/mp4',
  'video/webm',
]);

/** Text is shown as UTF-8: without a charset the browser guesses, and guesses wrong for Chinese. */
const TEXT = 'text/plain;charset=utf-8';

/** By the name's extension, for files the core could not sniff (text has no signature): viewable types only. */
const TYPE_BY_EXTENSION: Readonly<Record<string, string>> = {
  txt: TEXT,
  text: TEXT,
  log: TEXT,
  md: TEXT,
  csv: TEXT,
  tsv: TEXT,
  json: TEXT,
  ini: TEXT,
  conf: TEXT,
  yaml: TEXT,
  yml: TEXT,
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  pdf: 'application/pdf',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  wav: 'audio/wav',
  m4a: 'audio/mp4',
  mp4: 'video/mp4',
  webm: 'video/webm',
};

/** Sniffed types that say nothing about the content. */
const GENERIC_TYPES = new Set(['', 'application/octet-stream']);

/**
 * The type to show a file with in a new tab, or null when it must be downloaded instead: the
 * sniffed type when it is viewable, else the extension's when the sniffed one is generic.
 */
export function tabTypeOf(sniffedType: string, fileName: string): string | null {
  const sniffed = sniffedType.split(';')[0]!.trim().toLowerCase();
  if (VIEWABLE_TYPES.has(sniffed)) return sniffed;
  if (!GENERIC_TYPES.has(sniffed)) return null;
  const dot = fileName.lastIndexOf('.');
  if (dot < 0) return null;
  return TYPE_BY_EXTENSION[fileName.slice(dot + 1).toLowerCase()] ?? null;
}

/**
 * A file's name as a download name: no folders, no characters file systems refuse, no control
 * character (C0, DEL, C1) and no direction embedding, override or isolate (`invoice\u202efdp.exe`
 * would be listed as `invoiceexe.pdf` in the downloads folder), never empty; a long name is cut
 * to the bytes the desktop saves a name in, at a character, keeping its extension (cutFileName).
 */
export function downloadNameOf(fileName: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are what is removed
  const cleaned = fileName.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069<>:"/\\|?*]/g, '_').replace(/^[\s.]+|[\s.]+$/g, '');
  return cutFileName(cleaned) || 'file';
}
