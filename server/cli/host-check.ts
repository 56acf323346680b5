import { createServer, isIP } from 'node:net';

/** A host name's labels (letters, digits, '-', '_'), dot-separated, at most 253 characters. */
const HOST_NAME = /^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

/**
 * --host that is neither an IP address nor a host name: a bad argument. A name whose last label is
 * all digits ("999.1.1.1", "10.0.0") is a mistyped address: no top-level domain is numeric.
 */
export function hostProblem(host: string): string | undefined {
  if (isIP(host) !== 0) return undefined;
  if (HOST_NAME.test(host) && !/(?:^|\.)\d+\.?$/.test(host)) return undefined;
  return `--host ${host}: not an IP address or host name`;
}

/**
 * Whether the listeners could bind to --host, tried on a free port before the data folder is made
 * or opened: a name that does not resolve (ENOTFOUND) or an address that is not this machine's
 * (EADDRNOTAVAIL) is said then, and leaves no folder behind. Resolves with the system's reason.
 */
export function hostUnusable(host: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error) => resolve(error.message));
    probe.listen(0, host, () => probe.close(() => resolve(undefined)));
  });
}
