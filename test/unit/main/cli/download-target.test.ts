import { describe, expect, it } from 'vitest';
import { safeFileName } from '../../../../main/files/desktop-files';

describe('the name a download is saved under', () => {
  it('is the last part of the sender\'s name, never a path, and the file id where nothing is left', () => {
    expect(safeFileName('../../etc/passwd', 'f1')).toBe('passwd');
    expect(safeFileName('a\\b\\c.txt', 'f1')).toBe('c.txt');
    expect(safeFileName('..', 'f1')).toBe('f1');
    expect(safeFileName('', 'f1')).toBe('f1');
    expect(safeFileName('名字 🐦.txt', 'f1')).toBe('名字 🐦.txt');
  });

  it('is never a hidden file: leading dots (and trailing dots and spaces) go, as browsers save', () => {
    expect(safeFileName('.bash_profile', 'f1')).toBe('bash_profile');
    expect(safeFileName('../.ssh/authorized_keys', 'f1')).toBe('authorized_keys');
    expect(safeFileName(' ...hidden. ', 'f1')).toBe('hidden');
    expect(safeFileName('archive.tar.gz', 'f1')).toBe('archive.tar.gz');
    expect(safeFileName(' . ', 'f1')).toBe('f1');
  });

  it('turns control characters, which a file system may not take, into "_"', () => {
    expect(safeFileName('nul\u0000.txt', 'f1')).toBe('nul_.txt');
    expect(safeFileName('two\nlines\u009b.txt', 'f1')).toBe('two_lines_.txt');
  });

  it('turns a direction override or isolate into "_", so the saved invoice\\u202efdp.exe does not read as a PDF', () => {
    expect(safeFileName('invoice\u202efdp.exe', 'f1')).toBe('invoice_fdp.exe');
    expect(safeFileName('\u2066a\u2069\u202a.txt', 'f1')).toBe('_a__.txt');
    expect(safeFileName('فاتورة.pdf', 'f1')).toBe('فاتورة.pdf');
  });

  it('cuts a name longer than a folder takes to 200 bytes of UTF-8, at a character, keeping its extension', () => {
    const cjk = safeFileName(`${'报'.repeat(251)}.pdf`, 'f1');
    expect(cjk).toBe(`${'报'.repeat(65)}.pdf`);
    expect(Buffer.byteLength(cjk)).toBeLessThanOrEqual(200);
    // an emoji is 4 bytes and 2 UTF-16 units: never cut in half
    const emoji = safeFileName(`${'🐦'.repeat(120)}.png`, 'f1');
    expect(emoji).toBe(`${'🐦'.repeat(49)}.png`);
    // an "extension" too long to be one is cut with the rest
    expect(Buffer.byteLength(safeFileName(`a.${'b'.repeat(300)}`, 'f1'))).toBe(200);
    expect(safeFileName(`${'x'.repeat(196)}   .txt`, 'f1')).toBe(`${'x'.repeat(196)}.txt`);
    expect(safeFileName('short.txt', 'f1')).toBe('short.txt');
  });
});
