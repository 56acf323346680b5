/**
 * The ports `npm run web` uses: the page's own and the local demo server's three, each from a
 * flag, else an environment variable, else its default. A port already taken is said in one line
 * that names it and how to pick another, never as a stack.
 */
import { createServer } from 'node:net';
import { DEFAULT_LOCAL_HTTP_PORT, DEFAULT_LOCAL_PORT, DEFAULT_LOCAL_TLS_PORT } from '../local-server/local-server';

export interface WebPorts {
  /** The page (0: any free port). */
  readonly page: number;
  /** The local demo server: the clients' plain port, TLS, and HTTP (files, REST, the console). */
  readonly demo: number;
  readonly demoTls: number;
  readonly demoHttp: number;
}

export interface PortSource {
  readonly key: keyof WebPorts;
  readonly flag: string;
  readonly env: string;
  readonly fallback: number;
  /** What the port is for, in the one line that says it is taken. */
  readonly what: string;
}

export const PORT_SOURCES: readonly PortSource[] = [
  { key: 'page', flag: '--port', env: 'MAGPIE_WEB_PORT', fallback: 0, what: 'the page' },
  { key: 'demo', flag: '--demo-port', env: 'MAGPIE_DEMO_PORT', fallback: DEFAULT_LOCAL_PORT, what: "the demo server's client port" },
  { key: 'demoTls', flag: '--demo-tls-port', env: 'MAGPIE_DEMO_TLS_PORT', fallback: DEFAULT_LOCAL_TLS_PORT, what: "the demo server's TLS port" },
  { key: 'demoHttp', flag: '--demo-http-port', env: 'MAGPIE_DEMO_HTTP_PORT', fallback: DEFAULT_LOCAL_HTTP_PORT, what: "the demo server's HTTP port" },
];

/** Reads the ports: a flag wins over its variable. Throws with the one line to print when one is not a port. */
export function resolveWebPorts(flags: Partial<Record<keyof WebPorts, string>>, env: NodeJS.ProcessEnv): WebPorts {
  const out: Record<string, number> = {};
  for (const source of PORT_SOURCES) {
    const fromFlag = flags[source.key];
    const fromEnv = env[source.env];
    const text = fromFlag ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : undefined);
    if (text === undefined) {
      out[source.key] = source.fallback;
      continue;
    }
    const port = Number(text);
    const lowest = source.key === 'page' ? 0 : 1;
    if (!/^\d+$/u.test(text.trim()) || !Number.isInteger(port) || port < lowest || port > 65535) {
      const named = fromFlag !== undefined ? source.flag : source.env;
      throw new Error(`${named} must be a port number (${lowest}-65535), not "${text}"`);
    }
    out[source.key] = port;
  }
  return out as unknown as WebPorts;
}

/** The one line for a taken port: which, for what, and how to pick another. */
export function portTakenLine(key: keyof WebPorts, port: number, host = '127.0.0.1'): string {
  const source = PORT_SOURCES.find((s) => s.key === key)!;
  const free = key === 'page' ? ', or 0 for any free port' : '';
  return `Port ${port} on ${host} (${source.what}) is taken by another program: pick another with ${source.flag} N or ${source.env}=N${free}.`;
}

/** True when nothing listens on host:port (a listen there succeeds, and is closed at once). */
export function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** The first of the demo server's ports something else holds, or undefined. */
export async function takenDemoPort(ports: WebPorts, host = '127.0.0.1'): Promise<keyof WebPorts | undefined> {
  for (const key of ['demo', 'demoTls', 'demoHttp'] as const) {
    if (!(await portIsFree(host, ports[key]))) return key;
  }
  return undefined;
}

/** An error from listening on a port that is taken. */
export function isAddressInUse(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE';
}
