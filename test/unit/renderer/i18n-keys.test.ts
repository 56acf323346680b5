import { describe, expect, it } from 'vitest';
import en from '../../../renderer/src/i18n/en';
import { localeFromLanguageTag, resolveLocale } from '../../../renderer/src/i18n';
import zhCN from '../../../renderer/src/i18n/zh-CN';

function keys(tree: object, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'object' && v !== null ? keys(v as object, `${prefix}${k}.`) : [`${prefix}${k}`],
  );
}

function leaves(tree: object): string[] {
  return Object.values(tree).flatMap((v) => (typeof v === 'object' && v !== null ? leaves(v as object) : [v as string]));
}

describe('the two languages', () => {
  it('have exactly the same keys', () => {
    expect(keys(zhCN).sort()).toEqual(keys(en).sort());
  });

  it('translate every text (no empty strings)', () => {
    expect(leaves(en).filter((v) => !v.trim())).toEqual([]);
    expect(leaves(zhCN).filter((v) => !v.trim())).toEqual([]);
  });

  it('use the same placeholders in each text', () => {
    // a plural's forms repeat its placeholders: each counts once
    const placeholders = (s: string) => [...new Set([...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
    const zhByKey = new Map(keys(zhCN).map((k) => [k, k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], zhCN) as string]));
    for (const key of keys(en)) {
      const enText = key.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], en) as string;
      expect(placeholders(zhByKey.get(key) ?? ''), key).toEqual(placeholders(enText));
    }
  });

  it('follow the system language when the setting says system', () => {
    expect(localeFromLanguageTag('zh-TW')).toBe('zh-CN');
    expect(localeFromLanguageTag('zh')).toBe('zh-CN');
    expect(localeFromLanguageTag('en-GB')).toBe('en');
    expect(localeFromLanguageTag('fr')).toBe('en');
    expect(resolveLocale('system', 'zh-CN')).toBe('zh-CN');
    expect(resolveLocale('en', 'zh-CN')).toBe('en');
    expect(resolveLocale('zh-CN', 'en-US')).toBe('zh-CN');
  });
});

describe('the texts', () => {
  it('compile in vue-i18n in both languages (no stray @ or | that it reads as syntax)', async () => {
    const { createMagpieI18n } = await import('../../../renderer/src/i18n');
    for (const locale of ['en', 'zh-CN'] as const) {
      const i18n = createMagpieI18n(locale);
      const errors: string[] = [];
      for (const key of keys(en)) {
        try {
          i18n.global.t(key, { n: 1, name: 'x', actor: 'a', targets: 't', role: 'r', reason: 'r', time: 't', code: 1, message: 'm', applied: 1, target: 2, lat: 1, lng: 2, max: 3, group: 'g', version: 'v', shell: 's' });
        } catch (error) {
          errors.push(`${locale} ${key}: ${String(error)}`);
        }
      }
      expect(errors).toEqual([]);
    }
  });

  it('count in the plural form the number needs', async () => {
    const { createMagpieI18n } = await import('../../../renderer/src/i18n');
    const { t } = createMagpieI18n('en').global;
    expect([0, 1, 2].map((n) => t('search.results', { n }, n))).toEqual(['no results', '1 result', '2 results']);
    expect(t('groups.requestsCount', { n: 1 }, 1)).toBe('1 pending request');
    expect(createMagpieI18n('zh-CN').global.t('search.results', { n: 1 }, 1)).toBe('1 条结果');
  });
});
