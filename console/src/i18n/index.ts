import { createI18n } from 'vue-i18n';
import en, { type MessageSchema } from './en';
import zhCN from './zh-CN';

export type Locale = 'zh-CN' | 'en';
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];
export const LOCALE_NAMES: Record<Locale, string> = { 'zh-CN': '简体中文', en: 'English' };

/** Any Chinese browser language is zh-CN; everything else English (as the desktop UI decides). */
export function localeFromLanguageTag(tag: string | undefined): Locale {
  return tag && tag.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

export function createConsoleI18n(initial: Locale) {
  return createI18n<[MessageSchema], Locale, false>({
    legacy: false,
    locale: initial,
    fallbackLocale: 'en',
    messages: { en, 'zh-CN': zhCN },
    missingWarn: false,
    fallbackWarn: false,
  });
}
