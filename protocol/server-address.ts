/**
 * How a server address is written, on the client's command line and in the server's --advertise
 * list alike: "host:port", "1.2.3.4:port" or "[::1]:port", optionally prefixed "tls://" or
 * "tcp://". Both ends parse it here so a list the server accepts is one the client can read.
 */
export interface AddressText {
  /** The scheme the text names; undefined for a bare address (the client decides by host). */
  readonly scheme: 'tls' | 'tcp' | undefined;
  readonly host: string;
  readonly port: number;
}

/** LOGIN_RESULT.advertised_addresses holds at most this many entries... */
export const MAX_ADVERTISED_ADDRESSES = 16;
/** ...each at most this many characters long. */
export const MAX_ADVERTISED_ADDRESS_CHARS = 255;

/** The address's parts, or undefined when the text is not an address. */
export function parseAddressText(text: string): AddressText | undefined {
  const trimmed = text.trim();
  const scheme = /^(tls|tcp):\/\//i.exec(trimmed);
  const rest = scheme ? trimmed.slice(scheme[0].length) : trimmed;
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:\s[\]/]+)):(\d{1,5})$/.exec(rest);
  const port = match ? Number(match[3]) : NaN;
  if (!match || !(port > 0 && port < 65536)) return undefined;
  return {
    scheme: scheme ? (scheme[1]!.toLowerCase() as 'tls' | 'tcp') : undefined,
    host: (match[1] ?? match[2])!,
    port,
  };
}
