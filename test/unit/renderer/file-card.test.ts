import { describe, expect, it } from 'vitest';
import { extensionOf, fileBadgeOf, fileKindOf, splitForMiddleEllipsis } from '../../../renderer/src/media/file-card';
import { formatFileSize } from '../../../renderer/src/media/file-size';

describe('a file card’s name', () => {
  it('has an extension only when it is a short run of letters and digits after a dot not first', () => {
    expect(extensionOf('Report.PDF')).toBe('pdf');
    expect(extensionOf('.bashrc')).toBe('');
    expect(extensionOf('notes.')).toBe('');
    expect(extensionOf('archive.tar.2024 backup')).toBe('');
    expect(extensionOf('no-extension')).toBe('');
    expect(extensionOf('backup.tar.gz')).toBe('gz');
  });

  it('gives a kind and a badge of at most four letters', () => {
    expect(fileKindOf('a.docx')).toBe('doc');
    expect(fileKindOf('a.7z')).toBe('archive');
    expect(fileKindOf('a.weird')).toBe('other');
    expect(fileBadgeOf('slides.pptx')).toBe('PPTX');
    expect(fileBadgeOf('movie.webmx')).toBe('WEBM');
    expect(fileBadgeOf('README')).toBe('');
  });

  it('is cut in the middle, keeping the stem’s last four characters and the extension, never a surrogate pair', () => {
    expect(splitForMiddleEllipsis('quarterly-report-final.pdf')).toEqual({ head: 'quarterly-report-f', tail: 'inal.pdf' });
    // short: all in the tail, nothing to cut
    expect(splitForMiddleEllipsis('a.pdf')).toEqual({ head: '', tail: 'a.pdf' });
    expect(splitForMiddleEllipsis('abcdefghij')).toEqual({ head: 'abcdef', tail: 'ghij' });
    const emoji = splitForMiddleEllipsis('😀😀😀😀😀😀.txt');
    expect(emoji).toEqual({ head: '😀😀', tail: '😀😀😀😀.txt' });
    expect(emoji.head + emoji.tail).toBe('😀😀😀😀😀😀.txt');
  });
});

describe('a file’s size', () => {
  it('is in B, KB, MB or GB, one decimal past bytes', () => {
    expect(formatFileSize(0)).toBe('0 B');
    expect(formatFileSize(1023)).toBe('1023 B');
    expect(formatFileSize(1024)).toBe('1.0 KB');
    expect(formatFileSize(150_000)).toBe('146.5 KB');
    expect(formatFileSize(3 * 1024 ** 3 + 200 * 1024 ** 2)).toBe('3.2 GB');
    // GB is the last unit
    expect(formatFileSize(2048 * 1024 ** 3)).toBe('2048.0 GB');
  });

  it('never says 1024.0 of a unit: that is one of the next', () => {
    expect(formatFileSize(1024 * 1024 - 1)).toBe('1.0 MB');
    expect(formatFileSize(1024 ** 3 - 1)).toBe('1.0 GB');
  });

  it('writes the number in the UI’s locale', () => {
    expect(formatFileSize(1536, 'de-DE')).toBe('1,5 KB');
    expect(formatFileSize(150_000, 'en-US')).toBe('146.5 KB');
    expect(formatFileSize(1023, 'de-DE')).toBe('1.023 B');
  });
});
