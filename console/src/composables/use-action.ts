import { computed, inject, ref, shallowRef, type InjectionKey } from 'vue';
import { useI18n } from 'vue-i18n';
import { errorText, isSignedOut } from '../api/error-text';

/** App.vue provides this: a call answered 401 sends the page back to the sign-in form. */
export const SIGNED_OUT: InjectionKey<() => void> = Symbol('signed-out');

/**
 * Runs a console call for a component: busy while it runs, its error shown in the reader's
 * language. A 401 means the session is gone, except for the sign-in itself (a wrong token).
 */
export function useAction(options: { signIn?: boolean } = {}) {
  const { t } = useI18n();
  const signedOut = inject(SIGNED_OUT, () => undefined);
  const failure = shallowRef<unknown>();
  // worded when shown, so a switch of language rewords it too
  const error = computed(() => (failure.value === undefined ? '' : errorText(t, failure.value)));
  const busy = ref(false);

  async function run<T>(action: () => Promise<T>): Promise<T | undefined> {
    busy.value = true;
    failure.value = undefined;
    try {
      return await action();
    } catch (caught) {
      if (!options.signIn && isSignedOut(caught)) signedOut();
      else failure.value = caught;
      return undefined;
    } finally {
      busy.value = false;
    }
  }

  return { error, busy, run };
}
