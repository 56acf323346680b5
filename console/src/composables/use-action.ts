import { computed, inject, ref, shallowRef, type InjectionKey } from 'vue';
import { useI18n } from 'vue-i18n';
import { errorText, isSignedOut } from '../api/error-text';

/** App.vue provides this: a call answered 401 sends the page back to the sign-in form. */
export const SIGNED_OUT: InjectionKey<() => void> = Symbol('signed-out');

/**
 * Runs a console call for a component: busy while it runs, its error shown in the reader's
 * language. A 401 means the session is gone, except for the sign-in itself (a wrong token).
 *
 * An error stays until the component's next call starts. A call's failure that lands after a
 * later call started is not shown (the later one speaks for the component), and reset() (the
 * component now shows another app) clears the error and drops what earlier calls still answer.
 */
export function useAction(options: { signIn?: boolean } = {}) {
  const { t } = useI18n();
  const signedOut = inject(SIGNED_OUT, () => undefined);
  const failure = shallowRef<unknown>();
  // worded when shown, so a switch of language rewords it too
  const error = computed(() => (failure.value === undefined ? '' : errorText(t, failure.value)));
  /** The calls under way, by number: busy while one started since the last reset runs. */
  const running = ref(new Set<number>());
  /** The last call started before the last reset: its answer, and every older one, is dropped. */
  const resetAt = ref(0);
  const busy = computed(() => [...running.value].some((id) => id > resetAt.value));
  let latest = 0;

  async function run<T>(action: () => Promise<T>): Promise<T | undefined> {
    const mine = ++latest;
    running.value.add(mine);
    failure.value = undefined;
    try {
      const value = await action();
      return mine > resetAt.value ? value : undefined;
    } catch (caught) {
      if (!options.signIn && isSignedOut(caught)) signedOut();
      else if (mine === latest && mine > resetAt.value) failure.value = caught;
      return undefined;
    } finally {
      running.value.delete(mine);
    }
  }

  function reset(): void {
    resetAt.value = latest;
    failure.value = undefined;
  }

  return { error, busy, run, reset };
}
