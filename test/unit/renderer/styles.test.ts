import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const css = readFileSync(join(import.meta.dirname, '../../../renderer/src/styles/base.css'), 'utf8');

describe('the base styles', () => {
  it('end the font stack with the colour emoji fonts, Noto Color Emoji for Linux among them', () => {
    const stack = /body\s*\{[^}]*font-family:\s*([^;]+);/s.exec(css)?.[1] ?? '';
    const fonts = stack.split(',').map((f) => f.trim().replace(/^'|'$/g, ''));
    expect(fonts.slice(-3)).toEqual(['Apple Color Emoji', 'Segoe UI Emoji', 'Noto Color Emoji']);
    expect(fonts).toContain('sans-serif');
  });
});
