/**
 * How the app reaches the local demo server. Its plain port proves nothing: once the server has
 * stopped, any program of this machine may listen there and be sent the next sign-in (a remembered
 * token, a password proof). So a login that names the demo server, by its plain address or its TLS
 * one, is sent over TLS to its TLS port with its own certificate as the only extra CA: every
 * connect, reconnects included, proves it is the server that made the key in its data folder.
 */
export interface LocalServerRoute {
  /** The plain address the login screen offers, `host:port`. */
  readonly address: string;
  /** The same server's TLS address, `tls://host:tlsPort`. */
  readonly tlsAddress: string;
  /** Its certificate (PEM), made at its first start (local-server-identity.ts). */
  readonly caFile: string;
}

/** `tcp://127.0.0.1:8883`, `localhost:8883` and `127.0.0.1:8883` are one address here. */
function sameAddress(text: string, address: string): boolean {
  const bare = (value: string) =>
    value
      .trim()
      .toLowerCase()
      .replace(/^tcp:\/\//, '')
      .replace(/^localhost:/, '127.0.0.1:');
  return bare(text) === bare(address);
}

/**
 * The servers and CA file a session dials: the demo server's TLS route when the login names it
 * alone, else the login's own. A list of several addresses is the user's own setup, left as it is.
 */
export function routeLogin(
  servers: readonly string[],
  caFile: string | undefined,
  route: LocalServerRoute | undefined,
): { servers: string[]; caFile: string | undefined } {
  const [only] = servers;
  if (route === undefined || servers.length !== 1 || only === undefined) return { servers: [...servers], caFile };
  const tls = only.trim().toLowerCase() === route.tlsAddress.toLowerCase();
  if (!tls && !sameAddress(only, route.address)) return { servers: [...servers], caFile };
  return { servers: [route.tlsAddress], caFile: route.caFile };
}
