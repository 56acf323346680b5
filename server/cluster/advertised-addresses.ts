import { MAX_ADVERTISED_ADDRESS_CHARS, MAX_ADVERTISED_ADDRESSES, parseAddressText } from '../../protocol';

/**
 * The --advertise list: more addresses of this service that clients race on their next connects
 * (LOGIN_RESULT.advertised_addresses). Checked at start, so a client never has to ignore our own typo.
 * Returns the problem in words, or undefined when the list is good.
 */
export function advertiseProblem(addresses: readonly string[]): string | undefined {
  if (addresses.length > MAX_ADVERTISED_ADDRESSES) return `at most ${MAX_ADVERTISED_ADDRESSES} addresses, not ${addresses.length}`;
  for (const text of addresses) {
    if (text.length > MAX_ADVERTISED_ADDRESS_CHARS) return `an address is at most ${MAX_ADVERTISED_ADDRESS_CHARS} characters long`;
    if (!parseAddressText(text)) return `"${text}" is not an address ([tls://|tcp://]host:port)`;
  }
  return undefined;
}

/** "a:1, tls://b:2" as given on the command line: the entries, trimmed, empty ones dropped. */
export function splitAdvertiseList(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '');
}

/** A listening host a client could dial: not a wildcard. */
function dialable(host: string): boolean {
  return host !== '0.0.0.0' && host !== '::' && host !== '';
}

/**
 * The client addresses of this node's listeners, which it shares with the other nodes of its
 * cluster. A node on a wildcard host cannot know its reachable address: it shares none, and
 * --advertise names the addresses instead.
 */
export function clientAddresses(host: string, ports: { port: number; tlsPort?: number }): string[] {
  if (!dialable(host)) return [];
  const hostText = host.includes(':') ? `[${host}]` : host;
  return [`${hostText}:${ports.port}`, ...(ports.tlsPort === undefined ? [] : [`tls://${hostText}:${ports.tlsPort}`])];
}

/** The --advertise list, then the other nodes' addresses not already in it, up to the protocol's cap. */
export function mergeAdvertised(configured: readonly string[], peers: readonly string[]): string[] {
  const out = [...configured];
  for (const address of peers) {
    if (out.length >= MAX_ADVERTISED_ADDRESSES) break;
    if (!out.includes(address) && address.length <= MAX_ADVERTISED_ADDRESS_CHARS && parseAddressText(address)) out.push(address);
  }
  return out;
}
