import type { Clock } from '../../protocol';

/**
 * Times of failed logins per key, within a sliding window: what both login limiters count. Keys
 * whose failures have all aged out are forgotten; past `maxKeys`, the least recently failed go.
 */
export interface FailureWindow {
  /** Failures of the key within the window. */
  count(key: string): number;
  /** Records a failure now and returns its time (for takeBack). */
  add(key: string): number;
  /** Takes back the one failure recorded at `at`; the key's others still count. */
  takeBack(key: string, at: number): void;
  /** Forgets every failure of the key. */
  clear(key: string): void;
}

export function createFailureWindow(deps: { clock: Clock; windowMs: number; maxKeys: number }): FailureWindow {
  const { clock, windowMs, maxKeys } = deps;
  const failures = new Map<string, number[]>();

  function recent(key: string): number[] {
    const since = clock.now() - windowMs;
    const times = (failures.get(key) ?? []).filter((at) => at > since);
    if (times.length === 0) failures.delete(key);
    else failures.set(key, times);
    return times;
  }

  return {
    count: (key) => recent(key).length,
    add(key) {
      const at = clock.now();
      const times = [...recent(key), at];
      // re-inserted, so the map's order is least recently failed first
      failures.delete(key);
      failures.set(key, times);
      if (failures.size > maxKeys) failures.delete(failures.keys().next().value!);
      return at;
    },
    takeBack(key, at) {
      const times = failures.get(key) ?? [];
      const mine = times.indexOf(at);
      if (mine >= 0) times.splice(mine, 1);
      if (times.length === 0) failures.delete(key);
    },
    clear: (key) => void failures.delete(key),
  };
}
