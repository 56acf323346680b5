import { describe, expect, it } from 'vitest';
import { MESSAGE_LIMITS, textChars } from '../../../protocol';
import { methodSchemas } from '../../../preload/api-schemas';

describe('a text is counted in characters (Unicode code points)', () => {
  it('counts an emoji beyond the BMP as one, like a letter or a Chinese character', () => {
    expect(textChars('')).toBe(0);
    expect(textChars('abc')).toBe(3);
    expect(textChars('鹊鹊')).toBe(2);
    expect(textChars('🐦')).toBe(1);
    expect(textChars('hi 🐦!')).toBe(5);
    expect(textChars('🐦'.repeat(2_501))).toBe(2_501);
    // a lone surrogate (broken text) is one, wherever it stands
    expect(textChars('\ud83d')).toBe(1);
    expect(textChars('a\udc26b')).toBe(3);
    expect(textChars('\ud83d\ud83d\udc26')).toBe(2);
  });

  // zod counts a string's max in code points too: this keeps the contract and the server agreeing
  it('is what the desktop contract checks message.send against, as the server does', () => {
    const send = (text: string) => methodSchemas['message.send'].args.safeParse({ conversation: 'bob', content: { kind: 'text', text } }).success;
    expect(send('🐦'.repeat(MESSAGE_LIMITS.maxTextChars))).toBe(true);
    expect(send('🐦'.repeat(MESSAGE_LIMITS.maxTextChars + 1))).toBe(false);
    expect(send('x'.repeat(MESSAGE_LIMITS.maxTextChars + 1))).toBe(false);
  });

  it('is what the desktop contract checks a group name and announcement against, as the server does', () => {
    const create = (name: string, announcement = '') => methodSchemas['groups.create'].args.safeParse({ name, mode: 'public', announcement }).success;
    expect(create('🐦'.repeat(64), '🐦'.repeat(1_024))).toBe(true);
    expect(create('🐦'.repeat(65))).toBe(false);
    expect(create('n', '🐦'.repeat(1_025))).toBe(false);
  });
});
