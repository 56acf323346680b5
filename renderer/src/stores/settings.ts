/**
 * The user's settings as the core keeps them, and the language and theme they mean on this
 * machine ('system' follows the browser's language and prefers-color-scheme).
 */
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { Settings } from '../../../preload/api';
import { resolveLocale, type Locale } from '../i18n';
import { useBackend } from './backend';

export const DEFAULT_SERVER = '127.0.0.1:8883';

export function defaultSettings(): Settings {
  return { notifications: true, preview: 'full', language: 'system', theme: 'system', servers: [DEFAULT_SERVER] };
}

export function parseServers(text: string): string[] {
  return text.split(/[\s,，]+/).map((s) => s.trim()).filter(Boolean);
}

export const useSettings = defineStore('settings', () => {
  const backend = useBackend();
  const settings = ref<Settings>(defaultSettings());
  const systemLanguage = ref<string | undefined>(undefined);
  const systemDark = ref(false);

  const locale = computed<Locale>(() => resolveLocale(settings.value.language, systemLanguage.value));
  const theme = computed<'light' | 'dark'>(() =>
    settings.value.theme === 'system' ? (systemDark.value ? 'dark' : 'light') : settings.value.theme,
  );

  async function load(): Promise<void> {
    const result = await backend.call('settings.get', {});
    if (result.ok) settings.value = result.value;
  }

  async function update(change: Partial<Settings>): Promise<void> {
    settings.value = { ...settings.value, ...change };
    const saved = await backend.run('settings.update', change);
    if (saved) settings.value = saved;
  }

  function setSystem(language: string | undefined, dark: boolean): void {
    systemLanguage.value = language;
    systemDark.value = dark;
  }

  return { settings, systemLanguage, systemDark, locale, theme, load, update, setSystem };
});
