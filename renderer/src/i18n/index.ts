import { createI18n } from 'vue-i18n';
import en, { type MessageSchema } from './en';
import zhCN from './zh-CN';

export type Locale = 'zh-CN' | 'en';
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];

/** Picks our locale for a browser language tag: any Chinese is zh-CN, everything else English. */
export function localeFromLanguageTag(tag: string | undefined): Locale {
  return tag && tag.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/** The locale a setting means; 'system' follows the browser's language. */
export function resolveLocale(setting: 'system' | Locale, systemTag: string | undefined): Locale {
  return setting === 'system' ? localeFromLanguageTag(systemTag) : setting;
}

export function createMagpieI18n(initial: Locale) {
  return createI18n<[MessageSchema], Locale, false>({
    legacy: false,
    locale: initial,
    fallbackLocale: 'en',
    messages: { en, 'zh-CN': zhCN },
    missingWarn: false,
    fallbackWarn: false,
  });
}
