/**
 * The contract this page talks to, held in Pinia so every store reaches it and tests hand in a
 * fake. `call` returns the Result; `run` reports a failure to the toasts and returns undefined.
 */
import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import { ApiErrorCode, type EventName, type EventPayloads, type MagpieApi, type MethodArgs, type MethodName, type MethodResult, type Result } from '../../../preload/api';
import { useToasts } from './toasts';

export const useBackend = defineStore('backend', () => {
  const api = shallowRef<MagpieApi | null>(null);

  function attach(next: MagpieApi): void {
    api.value = next;
  }

  async function call<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<Result<MethodResult<M>>> {
    const current = api.value;
    if (!current) return { ok: false, error: { code: ApiErrorCode.NOT_CONNECTED, message: 'no api attached' } };
    return current.invoke(method, args);
  }

  async function run<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<MethodResult<M> | undefined> {
    const result = await call(method, args);
    if (result.ok) return result.value;
    useToasts().error(result.error);
    return undefined;
  }

  function on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void {
    const current = api.value;
    if (!current) return () => undefined;
    return current.on(event, listener);
  }

  return { api, attach, call, run, on };
});
