import { MAX_ADVERTISED_ADDRESS_CHARS, MAX_ADVERTISED_ADDRESSES } from '../../protocol';
import { isLoopbackHost, parseServerAddress, type AddressPolicy, type ServerAddress } from './address-book';

/**
 * The addresses a server advertises at login (LOGIN_RESULT.advertised_addresses), checked before
 * the client races them: they come after the user's own, never replace or weaken them, and a bad
 * entry is left out rather than failing the login.
 */
export interface IgnoredAddress {
  readonly text: string;
  readonly reason: string;
}

export interface AcceptedAdvertised {
  /** In the server's order, the user's own addresses and repeats left out, at most MAX_ADVERTISED_ADDRESSES. */
  readonly accepted: readonly ServerAddress[];
  readonly ignored: readonly IgnoredAddress[];
}

export function acceptAdvertised(
  configured: readonly ServerAddress[],
  advertised: readonly string[],
  policy: AddressPolicy = {},
): AcceptedAdvertised {
  const accepted: ServerAddress[] = [];
  const ignored: IgnoredAddress[] = [];
  const seen = new Set(configured.map((a) => a.key));
  // the user already runs this service over plain TCP off this machine: its other nodes may be too
  const plainAllowed = policy.insecurePlain === true || configured.some((a) => a.transport === 'tcp' && !isLoopbackHost(a.host));
  advertised.forEach((text, index) => {
    if (index >= MAX_ADVERTISED_ADDRESSES) return ignored.push({ text, reason: `more than ${MAX_ADVERTISED_ADDRESSES} addresses` });
    if (text.length > MAX_ADVERTISED_ADDRESS_CHARS) return ignored.push({ text: text.slice(0, 40), reason: `longer than ${MAX_ADVERTISED_ADDRESS_CHARS} characters` });
    let address: ServerAddress;
    try {
      address = parseServerAddress(text, policy);
    } catch {
      return ignored.push({ text, reason: 'not an address ([tls://|tcp://]host:port)' });
    }
    // a server may not talk the client into plain TCP across the network
    if (address.transport === 'tcp' && !isLoopbackHost(address.host) && !plainAllowed) {
      return ignored.push({ text, reason: 'plain TCP off this machine, and the user asked for TLS' });
    }
    // the user's own entry for the same host:port wins, so a TLS address is never downgraded
    if (seen.has(address.key)) return;
    seen.add(address.key);
    accepted.push(address);
  });
  return { accepted, ignored };
}

/** How a learned address is written down (the remembered login, the CLI profile): its transport explicit. */
export function addressText(address: ServerAddress): string {
  return `${address.transport}://${address.key}`;
}
