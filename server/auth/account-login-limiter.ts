import { ErrorCode, MagpieError, type Clock } from '../../protocol';
import { createFailureWindow } from './failure-window';

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
  const failures = createFailureWindow({ clock, windowMs, maxKeys: MAX_TRACKED_ACCOUNTS });
  const knownAddresses = new Map<string, string[]>();

  function isKnown(account: string, address: string): boolean {
    return knownAddresses.get(account)?.includes(address) ?? false;
  }

  function rememberAddress(account: string, address: string): void {
    const known = (knownAddresses.get(account) ?? []).filter((other) => other !== address);
    // re-inserted, so the map's order is least recently used first
    knownAddresses.delete(account);
    knownAddresses.set(account, [address, ...known].slice(0, KNOWN_ADDRESSES_PER_ACCOUNT));
    if (knownAddresses.size > MAX_TRACKED_ACCOUNTS) knownAddresses.delete(knownAddresses.keys().next().value!);
  }

  return {
    begin(account, address) {
      if (failures.count(account) >= maxFailures && !isKnown(account, address)) {
        throw new MagpieError(ErrorCode.TOO_MANY_LOGIN_ATTEMPTS, 'too many failed logins to this account; try again later');
      }
      const at = failures.add(account);
      return {
        succeeded() {
          // only this attempt's provisional failure goes: the others' still count
          failures.takeBack(account, at);
          rememberAddress(account, address);
        },
      };
    },
  };
}
