import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol/errors';
import { ConsoleApiError } from '../../../console/src/api/console-api';
import { errorText } from '../../../console/src/api/error-text';
import { createConsoleI18n, type Locale } from '../../../console/src/i18n';

/**
 * The console words every code its API can answer in the reader's language, and never shows the
 * server's English message for them; a code it does not know keeps the server's words and the code.
 */
function textIn(locale: Locale, code: number, message: string, status = 400): string {
  const i18n = createConsoleI18n(locale);
  return errorText((key, values) => i18n.global.t(key, values ?? {}), new ConsoleApiError(status, code, message));
}

const KNOWN = [
  ErrorCode.REST_AUTH_FAILED,
  ErrorCode.REST_RATE_LIMITED,
  ErrorCode.REST_FORBIDDEN,
  ErrorCode.PUSH_URL_INVALID,
  ErrorCode.NAME_TAKEN,
  ErrorCode.INVALID_USER_ID,
  ErrorCode.APP_NOT_FOUND,
  ErrorCode.USER_NOT_FOUND,
  ErrorCode.AUTH_TOKEN_UNAVAILABLE,
  ErrorCode.REST_NOT_FOUND,
  ErrorCode.INTERNAL,
  ErrorCode.REST_BAD_REQUEST,
];

describe('the console\'s error texts', () => {
  it('say a name that is all spaces is refused, in Chinese and English, without the server\'s English', () => {
    const server = 'a friendly name is all spaces: it needs at least one character that is not a space';
    const zh = textIn('zh-CN', ErrorCode.INVALID_USER_ID, server);
    expect(zh).toBe('名称需为 1–64 个字符（表情或汉字各算一个），不能全是空格，也不能包含换行等控制字符。');
    expect(textIn('en', ErrorCode.INVALID_USER_ID, server)).toContain('not only spaces');
  });

  it('word every code the console can get in each language, never as the generic fallback', () => {
    for (const locale of ['zh-CN', 'en'] as const) {
      for (const code of KNOWN) {
        const text = textIn(locale, code, 'SERVER WORDS');
        expect([locale, code, text]).toEqual([locale, code, expect.not.stringContaining('SERVER WORDS')]);
        expect(text).not.toContain(String(code));
        if (locale === 'zh-CN') expect(text).toMatch(/[\u4e00-\u9fff]/);
      }
    }
  });

  it('fall back to the server\'s message with its code for a code the page does not know', () => {
    expect(textIn('zh-CN', 599999, 'something new')).toBe('请求失败（599999）：something new');
    expect(textIn('en', 599999, 'something new')).toBe('The request failed (599999): something new');
  });
});
