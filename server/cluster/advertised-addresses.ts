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
