import { ErrorCode, MagpieError, type Clock } from '../../protocol';
import { createFailureWindow } from './failure-window';
import { MAX_TRACKED_KEYS } from './login-limiter';

/**
 * Wrong passwords per existing sub-account, from every address together: what stops a guesser who
 * spreads over many addresses (the per-address limits stop one who does not). Once an account has
 * too many in the window, password logins to it are refused before any proof is checked, except
 * from an address that has logged in to it before. The owner is never locked out for good: a login
 * with the app token or the app server's signature is not refused here, and any successful login
 * to the account ends the lock.
 */
export interface AccountLoginLimiter {
  /** Throws TOO_MANY_LOGIN_ATTEMPTS when the account takes no password logins from this address. */
  check(account: string, address: string): void;
  /** A wrong password for an account that exists. */
  failed(account: string): void;
  /** A successful login of any kind: the lock ends and the address becomes known. */
  succeeded(account: string, address: string): void;
}

export interface AccountLoginLimiterDeps {
  readonly clock: Clock;
  readonly maxFailures: number;
  readonly windowMs: number;
  /** Accounts remembered at most (see failure-window.ts); default MAX_TRACKED_KEYS. */
  readonly maxKeys?: number;
}

const KNOWN_ADDRESSES_PER_ACCOUNT = 16;

export function createAccountLoginLimiter(deps: AccountLoginLimiterDeps): AccountLoginLimiter {
  const { clock, maxFailures, windowMs } = deps;
  const maxKeys = deps.maxKeys ?? MAX_TRACKED_KEYS;
  const failures = createFailureWindow({ clock, windowMs, maxKeys, blockAt: maxFailures });
  const knownAddresses = new Map<string, string[]>();

  function isKnown(account: string, address: string): boolean {
    return knownAddresses.get(account)?.includes(address) ?? false;
  }

  function rememberAddress(account: string, address: string): void {
    const known = (knownAddresses.get(account) ?? []).filter((other) => other !== address);
    // re-inserted, so the map's order is least recently used first
    knownAddresses.delete(account);
    knownAddresses.set(account, [address, ...known].slice(0, KNOWN_ADDRESSES_PER_ACCOUNT));
    if (knownAddresses.size > maxKeys) knownAddresses.delete(knownAddresses.keys().next().value!);
  }

  return {
    check(account, address) {
      if (failures.blocked(account) && !isKnown(account, address)) {
        throw new MagpieError(
          ErrorCode.TOO_MANY_LOGIN_ATTEMPTS,
          'too many failed logins to this account; try again later, or sign in with the app token or signature',
        );
      }
    },
    failed(account) {
      failures.add(account);
    },
    succeeded(account, address) {
      failures.clear(account);
      rememberAddress(account, address);
    },
  };
}
