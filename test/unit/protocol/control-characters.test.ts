import { describe, expect, it } from 'vitest';
import { hasControlCharacter, replaceControlCharacters } from '../../../protocol';

describe('control characters in names', () => {
  it('finds C0, DEL, C1 and the direction embeddings, overrides and isolates', () => {
    for (const name of ['a\nb', 'bell\u0007', 'del\u007f', 'c1\u0085', 'lre\u202a', 'rlo\u202e', 'lri\u2066', 'pdi\u2069']) {
      expect(hasControlCharacter(name), JSON.stringify(name)).toBe(true);
    }
    // right-to-left text and its marks, Chinese and emoji are names like any other
    for (const name of ['שלום', 'مرحبا\u200f', 'mark\u200e', '小明 🐦', 'tab-free name']) {
      expect(hasControlCharacter(name), JSON.stringify(name)).toBe(false);
    }
  });

  it('replaces each of them in a file name, so gnp.exe is not shown as exe.png', () => {
    expect(replaceControlCharacters('invoice\u202egnp.exe')).toBe('invoice_gnp.exe');
    expect(replaceControlCharacters('two\nlines.txt')).toBe('two_lines.txt');
    expect(replaceControlCharacters('報告.pdf')).toBe('報告.pdf');
  });
});
