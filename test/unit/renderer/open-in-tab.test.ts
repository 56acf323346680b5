import { describe, expect, it } from 'vitest';
import { safeFileName } from '../../../main/files/desktop-files';
import { downloadNameOf, tabTypeOf } from '../../../renderer/src/media/open-in-tab';

describe('what the web shell shows in a new tab', () => {
  it('text, which has no signature, is shown as UTF-8 text by its extension', () => {
    expect(tabTypeOf('application/octet-stream', 'report.TXT')).toBe('text/plain;charset=utf-8');
    expect(tabTypeOf('', 'server.log')).toBe('text/plain;charset=utf-8');
  });

  it('a sniffed viewable type is kept; an unknown one, or none, downloads', () => {
    expect(tabTypeOf('image/png', 'photo.txt')).toBe('image/png');
    expect(tabTypeOf('application/zip', 'archive.txt')).toBeNull();
    expect(tabTypeOf('application/octet-stream', 'notes.bin')).toBeNull();
    expect(tabTypeOf('application/octet-stream', 'README')).toBeNull();
  });

  it('never a type that runs script in the app origin, whatever the name or the sniffed type', () => {
    for (const name of ['page.html', 'page.htm', 'logo.svg', 'feed.xml', 'page.xhtml']) expect(tabTypeOf('application/octet-stream', name)).toBeNull();
    expect(tabTypeOf('text/html', 'page.txt')).toBeNull();
    expect(tabTypeOf('image/svg+xml', 'logo.png')).toBeNull();
  });

  it('downloads under the file name with no folders or refused characters, never empty', () => {
    expect(downloadNameOf('report <script>.txt')).toBe('report _script_.txt');
    expect(downloadNameOf('../../etc/passwd')).toBe('_.._etc_passwd');
    expect(downloadNameOf('a\u0000b.txt')).toBe('a_b.txt');
    expect(downloadNameOf('invoice\u202efdp.exe')).toBe('invoice_fdp.exe');
    expect(downloadNameOf('c1\u009b \u2067x\u2069.txt')).toBe('c1_ _x_.txt');
    expect(downloadNameOf('فاتورة\u200f.pdf')).toBe('فاتورة\u200f.pdf');
    expect(downloadNameOf('...')).toBe('file');
    expect(downloadNameOf('')).toBe('file');
  });

  it('cuts a long name to 200 bytes of UTF-8 at a character, keeping its extension, as the desktop saves it', () => {
    const emoji = downloadNameOf(`${'🐦'.repeat(120)}.png`);
    expect(emoji).toBe(`${'🐦'.repeat(49)}.png`);
    expect(emoji).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    const cjk = downloadNameOf(`${'报'.repeat(251)}.pdf`);
    expect(new TextEncoder().encode(cjk).length).toBeLessThanOrEqual(200);
    expect(cjk).toBe(`${'报'.repeat(65)}.pdf`);
    expect(downloadNameOf(`${'x'.repeat(196)}   .txt`)).toBe(`${'x'.repeat(196)}.txt`);
    for (const name of [`${'🐦'.repeat(120)}.png`, `${'报'.repeat(251)}.pdf`, `a.${'b'.repeat(300)}`, `名字 ${'x'.repeat(250)}.tar.gz`]) {
      expect(downloadNameOf(name)).toBe(safeFileName(name, 'file'));
    }
  });
});
