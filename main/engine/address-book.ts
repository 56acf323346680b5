import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { ErrorCode, MagpieError, parseAddressText, type Clock } from '../../protocol';
import type { EngineTuning } from './tuning';

/**
 * The server addresses a client may connect to: names are
 * resolved once and cached (no DNS on the reconnect path), IPs are used as they are, the address
 * that won the last race is tried first, and an address that failed is left out for addressBanMs.
 */
export interface ServerAddress {
  /** "host:port" as configured; the address's identity in the book. */
  readonly key: string;
  readonly host: string;
  readonly port: number;
  readonly transport: Transport;
}

export interface ResolvedAddress extends ServerAddress {
  /** The IP to connect to. */
  readonly ip: string;
  readonly family: 4 | 6;
}

/** dns.promises.lookup's shape, injected so tests count and fake lookups. */
export type LookupFn = (hostname: string) => Promise<{ address: string; family: number }>;

/** How a connection to an address is carried: TLS, or plain TCP only where that is safe or asked for. */
export type Transport = 'tls' | 'tcp';

export interface AddressPolicy {
  /** Bare addresses off this machine go plain too (--insecure-plain); tls:// still means TLS. */
  readonly insecurePlain?: boolean;
}

/** 127.0.0.0/8, ::1 and localhost: traffic that never leaves this machine. */
export function isLoopbackHost(host: string): boolean {
  const lower = host.toLowerCase();
  if (lower === 'localhost' || lower === '::1') return true;
  const v4 = lower.startsWith('::ffff:') ? lower.slice(7) : lower;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/**
 * "host:port", "1.2.3.4:port" or "[::1]:port", optionally prefixed "tls://" or "tcp://". A bare
 * address off this machine is TLS (anyone on the path would read plain frames); a loopback one is
 * plain; tcp:// is plain only because the user wrote it.
 */
export function parseServerAddress(text: string, policy: AddressPolicy = {}): ServerAddress {
  const parsed = parseAddressText(text);
  if (!parsed) {
    throw new MagpieError(ErrorCode.NOT_CONNECTED, `not a server address ([tls://|tcp://]host:port): ${JSON.stringify(text)}`);
  }
  const { host, port } = parsed;
  const transport: Transport = parsed.scheme ?? (isLoopbackHost(host) || policy.insecurePlain ? 'tcp' : 'tls');
  return { key: isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`, host, port, transport };
}

/** A comma-separated list, as given to --server. */
export function parseServerAddressList(text: string, policy: AddressPolicy = {}): ServerAddress[] {
  return text
    .split(',')
    .filter((part) => part.trim() !== '')
    .map((part) => parseServerAddress(part, policy));
}

export interface AddressBook {
  /** The configured addresses, then the learned ones. */
  readonly addresses: readonly ServerAddress[];
  readonly configured: readonly ServerAddress[];
  /** Addresses a server advertised, raced after the configured ones. */
  readonly learned: readonly ServerAddress[];
  /** Replaces the learned addresses (already checked by acceptAdvertised). */
  learn(addresses: readonly ServerAddress[]): void;
  /**
   * The addresses to race, best first: the last winner, then the rest in configured order, each
   * resolved to an IP. Banned addresses are left out while any other remains; when every address
   * is banned they are all returned, soonest-unbanned first, because trying beats giving up.
   * An address whose name does not resolve is left out of this round and banned, and told to
   * unresolved (so a failed race can say why it had nothing to try).
   */
  candidates(unresolved?: (address: ServerAddress, error: unknown) => void): Promise<ResolvedAddress[]>;
  /** The address won a race after connectMs: try it first next time. */
  recordWin(key: string, connectMs: number): void;
  /** The address failed to connect: try the others first for addressBanMs. */
  ban(key: string): void;
  isBanned(key: string): boolean;
  /** The last winner's key and its connect time, if any. */
  readonly preferred: { readonly key: string; readonly connectMs: number } | undefined;
}

export interface AddressBookDeps {
  readonly addresses: readonly (string | ServerAddress)[];
  /** Advertised addresses remembered from an earlier session (already checked). */
  readonly learned?: readonly ServerAddress[];
  readonly clock: Pick<Clock, 'now'>;
  readonly tuning: Pick<EngineTuning, 'addressBanMs'>;
  readonly lookup?: LookupFn;
  readonly policy?: AddressPolicy;
}

export function createAddressBook(deps: AddressBookDeps): AddressBook {
  const configured = deps.addresses.map((a) => (typeof a === 'string' ? parseServerAddress(a, deps.policy) : a));
  if (configured.length === 0) throw new MagpieError(ErrorCode.NOT_CONNECTED, 'no server address configured');
  let learned: readonly ServerAddress[] = [];
  let addresses: readonly ServerAddress[] = configured;
  const learn = (next: readonly ServerAddress[]): void => {
    const own = new Set(configured.map((a) => a.key));
    learned = next.filter((a) => !own.has(a.key));
    addresses = [...configured, ...learned];
  };
  learn(deps.learned ?? []);
  const lookup = deps.lookup ?? ((hostname: string) => dnsLookup(hostname));
  // one lookup per name, shared by concurrent callers; a failed lookup is forgotten and retried later
  const resolved = new Map<string, Promise<{ ip: string; family: 4 | 6 }>>();
  const bannedUntil = new Map<string, number>();
  let preferred: { key: string; connectMs: number } | undefined;

  function resolveHost(host: string): Promise<{ ip: string; family: 4 | 6 }> {
    const family = isIP(host);
    if (family !== 0) return Promise.resolve({ ip: host, family: family as 4 | 6 });
    let pending = resolved.get(host);
    if (!pending) {
      pending = lookup(host).then(({ address, family: f }) => ({ ip: address, family: f === 6 ? 6 : 4 }) as const);
      resolved.set(host, pending);
      pending.catch(() => resolved.delete(host));
    }
    return pending;
  }

  function isBanned(key: string): boolean {
    const until = bannedUntil.get(key);
    if (until === undefined) return false;
    if (deps.clock.now() >= until) {
      bannedUntil.delete(key);
      return false;
    }
    return true;
  }

  function ban(key: string): void {
    bannedUntil.set(key, deps.clock.now() + deps.tuning.addressBanMs);
  }

  return {
    get addresses() {
      return addresses;
    },
    configured,
    get learned() {
      return learned;
    },
    learn,
    get preferred() {
      return preferred;
    },
    isBanned,
    ban,
    recordWin(key, connectMs) {
      preferred = { key, connectMs };
      bannedUntil.delete(key);
    },
    async candidates(unresolved) {
      const ordered = [...addresses].sort((a, b) => rank(a) - rank(b));
      const open = ordered.filter((a) => !isBanned(a.key));
      const chosen =
        open.length > 0
          ? open
          : ordered.sort((a, b) => (bannedUntil.get(a.key) ?? 0) - (bannedUntil.get(b.key) ?? 0));
      const results = await Promise.allSettled(chosen.map((a) => resolveHost(a.host)));
      const out: ResolvedAddress[] = [];
      results.forEach((result, i) => {
        const address = chosen[i]!;
        if (result.status === 'fulfilled') out.push({ ...address, ...result.value });
        else {
          ban(address.key);
          unresolved?.(address, result.reason);
        }
      });
      return out;
    },
  };

  function rank(address: ServerAddress): number {
    return address.key === preferred?.key ? -1 : addresses.indexOf(address);
  }
}
