import { ErrorCode, MagpieError, type Clock } from '../../protocol';

/**
 * Failed logins per account, from every address together: what stops a guesser who spreads over
 * many addresses (the per-address limiter stops one who does not). Once an account has too many
 * failures in the window, logins to it are refused before any secret is checked, except from an
 * address that has logged in to it before: a guesser can then lock strangers out, not the owner.
 */
export interface AccountLoginLimiter {
  /** Throws TOO_MANY_LOGIN_ATTEMPTS when the account is blocked for this address. */
  begin(account: string, address: string): Attempt;
}

/** One login in flight: counted as failed until it succeeds, so logins sent at once cannot all pass. */
export interface Attempt {
  succeeded(): void;
}

export interface AccountLoginLimiterDeps {
  readonly clock: Clock;
  readonly maxFailures: number;
  readonly windowMs: number;
}

/** Accounts and known addresses remembered at most; the oldest are forgotten first. */
const MAX_TRACKED_ACCOUNTS = 100_000;
const KNOWN_ADDRESSES_PER_ACCOUNT = 16;

export function createAccountLoginLimiter(deps: AccountLoginLimiterDeps): AccountLoginLimiter {
  const { clock, maxFailures, windowMs } = deps;
  const failures = new Map<string, number[]>();
  const knownAddresses = new Map<string, string[]>();

  function recent(account: string): number[] {
    const since = clock.now() - windowMs;
    const times = (failures.get(account) ?? []).filter((at) => at > since);
    if (times.length === 0) failures.delete(account);
    else failures.set(account, times);
    return times;
  }

  function remember<T>(map: Map<string, T>, key: string, value: T): void {
    // re-inserted, so the map's order is least recently used first
    map.delete(key);
    map.set(key, value);
    if (map.size > MAX_TRACKED_ACCOUNTS) map.delete(map.keys().next().value!);
  }

  function isKnown(account: string, address: string): boolean {
    return knownAddresses.get(account)?.includes(address) ?? false;
  }

  return {
    begin(account, address) {
      const times = recent(account);
      if (times.length >= maxFailures && !isKnown(account, address)) {
        throw new MagpieError(ErrorCode.TOO_MANY_LOGIN_ATTEMPTS, 'too many failed logins to this account; try again later');
      }
      const at = clock.now();
      remember(failures, account, [...times, at]);
      return {
        succeeded() {
          // only this attempt's provisional failure goes: the others' still count
          const left = [...(failures.get(account) ?? [])];
          const mine = left.indexOf(at);
          if (mine >= 0) left.splice(mine, 1);
          if (left.length === 0) failures.delete(account);
          else failures.set(account, left);
          const known = (knownAddresses.get(account) ?? []).filter((known) => known !== address);
          remember(knownAddresses, account, [address, ...known].slice(0, KNOWN_ADDRESSES_PER_ACCOUNT));
        },
      };
    },
  };
}
