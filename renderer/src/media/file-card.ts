/** What a file card shows of a file's name: its kind by extension, and the name cut in the middle. */

export type FileKind = 'pdf' | 'doc' | 'sheet' | 'slides' | 'archive' | 'audio' | 'video' | 'image' | 'code' | 'text' | 'other';

const KINDS: Readonly<Record<string, FileKind>> = {
  pdf: 'pdf',
  doc: 'doc', docx: 'doc', odt: 'doc', rtf: 'doc', pages: 'doc', wps: 'doc',
  xls: 'sheet', xlsx: 'sheet', ods: 'sheet', csv: 'sheet', numbers: 'sheet', et: 'sheet',
  ppt: 'slides', pptx: 'slides', odp: 'slides', key: 'slides', dps: 'slides',
  zip: 'archive', rar: 'archive', '7z': 'archive', tar: 'archive', gz: 'archive', tgz: 'archive', bz2: 'archive', xz: 'archive',
  mp3: 'audio', wav: 'audio', flac: 'audio', aac: 'audio', m4a: 'audio', ogg: 'audio', opus: 'audio',
  mp4: 'video', mov: 'video', mkv: 'video', avi: 'video', webm: 'video', wmv: 'video',
  png: 'image', jpg: 'image', jpeg: 'image', gif: 'image', webp: 'image', bmp: 'image', svg: 'image', heic: 'image',
  js: 'code', ts: 'code', py: 'code', java: 'code', c: 'code', cpp: 'code', h: 'code', go: 'code', rs: 'code', json: 'code', xml: 'code', html: 'code', css: 'code', sh: 'code',
  txt: 'text', md: 'text', log: 'text',
};

/** The extension without its dot, lower case; '' when the name has none (".bashrc" has none). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return '';
  const ext = name.slice(dot + 1);
  // "archive.tar.2024 backup" is not an extension: only a short run of letters and digits is
  return /^[A-Za-z0-9]{1,8}$/u.test(ext) ? ext.toLowerCase() : '';
}

export function fileKindOf(name: string): FileKind {
  return KINDS[extensionOf(name)] ?? 'other';
}

/** The badge on the icon: the extension in capitals, at most 4 letters ("PDF", "DOCX", "7Z"). */
export function fileBadgeOf(name: string): string {
  return extensionOf(name).slice(0, 4).toUpperCase();
}

/** How many characters of the name's stem stay beside the extension when the name is cut. */
const KEPT_TAIL = 4;

/**
 * The name in two parts for a middle ellipsis: the head shrinks with an ellipsis (CSS), the tail
 * (the stem's last few characters and the extension) always shows, so "quarterly-report-final.pdf"
 * reads "quarterly-re…inal.pdf". Counted in code points, so no surrogate pair is cut.
 */
export function splitForMiddleEllipsis(name: string): { head: string; tail: string } {
  const ext = extensionOf(name);
  const chars = [...name];
  const keep = (ext ? ext.length + 1 : 0) + KEPT_TAIL;
  if (chars.length <= keep + 1) return { head: '', tail: name };
  return { head: chars.slice(0, chars.length - keep).join(''), tail: chars.slice(chars.length - keep).join('') };
}
