import { ErrorCode, MagpieError, type Clock } from '../../protocol';

export interface TestPushLimit {
  /** Counts one test push of the app, or refuses it (REST_RATE_LIMITED) if the last was too recent. */
  take(appId: string): void;
}

/**
 * At most one console test push per app per interval: each answer says something about the
 * address it was sent to, so unlimited test pushes would scan the server's network.
 */
export function createTestPushLimit(deps: { readonly clock: Clock; readonly intervalMs: number }): TestPushLimit {
  const lastMs = new Map<string, number>();
  return {
    take(appId) {
      const now = deps.clock.now();
      for (const [id, at] of lastMs) if (now - at >= deps.intervalMs) lastMs.delete(id);
      const last = lastMs.get(appId);
      if (last !== undefined) {
        const waitS = Math.ceil((deps.intervalMs - (now - last)) / 1000);
        throw new MagpieError(ErrorCode.REST_RATE_LIMITED, `one test push per app every ${deps.intervalMs / 1000} s; retry in ${waitS} s`);
      }
      lastMs.set(appId, now);
    },
  };
}
