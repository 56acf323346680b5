import { useI18n } from 'vue-i18n';

/** "Human message (code N)" in the current language; the core's own message when we have no text. */
export function useErrorText(): (error: { code: number; message: string }) => string {
  const { t, te } = useI18n();
  return (error) => {
    const key = `errors.e${error.code}`;
    const message = te(key) ? t(key) : error.message || t('errors.unknown');
    return t('errors.withCode', { message, code: error.code });
  };
}
