/**
 * The boundary both shells share: a call arrives as (method, args) from an untrusted page, is
 * checked against the contract's schema, runs on the core, and goes back as a Result value.
 */
import { ErrorCode, isMagpieError } from '../../protocol/errors';
import { ApiErrorCode, type MethodArgs, type MethodName, type MethodResult, type Result } from '../../preload/api';
import { isMethodName, methodSchemas } from '../../preload/api-schemas';
import { localStoreUnavailable } from '../store/store-failure';

/** The core as the shells see it: one async function per contract method. */
export type ApiHandlers = { [M in MethodName]: (args: MethodArgs<M>) => Promise<MethodResult<M>> | MethodResult<M> };

export type Dispatch = (method: unknown, args: unknown) => Promise<Result<unknown>>;

export function createDispatch(handlers: Partial<ApiHandlers>, onUnexpected: (error: unknown) => void): Dispatch {
  return async (method, args) => {
    if (!isMethodName(method)) {
      return { ok: false, error: { code: ApiErrorCode.UNKNOWN_METHOD, message: `unknown method ${String(method)}` } };
    }
    const parsed = methodSchemas[method].args.safeParse(args ?? {});
    if (!parsed.success) {
      return { ok: false, error: { code: ApiErrorCode.BAD_ARGUMENT, message: `${method}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'args'} ${i.message}`).join('; ')}` } };
    }
    const handler = handlers[method] as ((a: unknown) => unknown) | undefined;
    if (!handler) {
      return { ok: false, error: { code: ApiErrorCode.METHOD_UNAVAILABLE, message: `${method} is not available in this shell` } };
    }
    try {
      return { ok: true, value: (await handler(parsed.data)) ?? null };
    } catch (error) {
      if (isMagpieError(error)) {
        return { ok: false, error: { code: error.code, message: error.message, ...(error.address === undefined ? {} : { address: error.address }) } };
      }
      // the local store's disk full or read-only: the page says so, never "internal error"
      const unavailable = localStoreUnavailable(error, undefined);
      if (unavailable) return { ok: false, error: { code: unavailable.code, message: unavailable.message } };
      onUnexpected(error);
      return { ok: false, error: { code: ErrorCode.INTERNAL, message: 'internal error' } };
    }
  };
}
