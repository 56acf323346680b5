/**
 * The ports `npm run web` uses: the page's own and the local demo server's three, each from a
 * flag, else an environment variable, else its default. A port already taken is said in one line
 * that names it and how to pick another, never as a stack.
 */
import { createServer } from 'node:net';
import { DEFAULT_LOCAL_HTTP_PORT, DEFAULT_LOCAL_PORT, DEFAULT_LOCAL_TLS_PORT, type RunningLocalServer } from '../local-server/local-server';

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

/** Where each port was given: its flag, else its variable (an empty one is not given), else undefined. */
function givenAs(source: PortSource, flags: Partial<Record<keyof WebPorts, string>>, env: NodeJS.ProcessEnv): { text: string; named: string } | undefined {
  const fromFlag = flags[source.key];
  if (fromFlag !== undefined) return { text: fromFlag, named: source.flag };
  const fromEnv = env[source.env];
  return fromEnv !== undefined && fromEnv !== '' ? { text: fromEnv, named: source.env } : undefined;
}

/**
 * The ports asked for by a flag or a variable, and how each was named. A demo port not asked for
 * is left to the running demo server (wherever it was moved), else to its default.
 */
export function askedPorts(flags: Partial<Record<keyof WebPorts, string>>, env: NodeJS.ProcessEnv): Partial<Record<keyof WebPorts, string>> {
  const out: Partial<Record<keyof WebPorts, string>> = {};
  for (const source of PORT_SOURCES) {
    const given = givenAs(source, flags, env);
    if (given) out[source.key] = given.named;
  }
  return out;
}

/**
 * Reads the ports: a flag wins over its variable. Throws with the one line to print when one is not
 * a port, or when two of them are the same port (the second listener would fail).
 */
export function resolveWebPorts(flags: Partial<Record<keyof WebPorts, string>>, env: NodeJS.ProcessEnv): WebPorts {
  const out: Record<string, number> = {};
  const namedBy = new Map<number, string>();
  for (const source of PORT_SOURCES) {
    const given = givenAs(source, flags, env);
    if (given === undefined) {
      out[source.key] = source.fallback;
      continue;
    }
    const { text, named } = given;
    const port = Number(text);
    const lowest = source.key === 'page' ? 0 : 1;
    if (!/^\d+$/u.test(text.trim()) || !Number.isInteger(port) || port < lowest || port > 65535) {
      throw new Error(`${named} must be a port number (${lowest}-65535), not "${text}"`);
    }
    out[source.key] = port;
  }
  // among those given only: a default demo port may not be used at all (a moved server is reused)
  for (const source of PORT_SOURCES) {
    const port = out[source.key]!;
    const named = givenAs(source, flags, env)?.named;
    if (port === 0 || named === undefined) continue;
    const earlier = namedBy.get(port);
    if (earlier) throw new Error(`${earlier} and ${named} are both port ${port}: each needs its own port`);
    namedBy.set(port, named);
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

/**
 * The line for a demo server that already runs on other ports than those asked for: the flags
 * that use it as it is, and how to stop it to move it.
 */
export function elsewhereLine(running: RunningLocalServer): string {
  const flags = [`--demo-port ${running.port}`, `--demo-tls-port ${running.tlsPort}`, ...(running.httpPort ? [`--demo-http-port ${running.httpPort}`] : [])].join(' ');
  const stop = running.pid ? `stop it first (kill ${running.pid})` : 'stop it first';
  return (
    `this user's demo server already runs on ${running.host}:${running.port} (TLS ${running.tlsPort}${running.httpPort ? `, HTTP ${running.httpPort}` : ''}). ` +
    `To use it, start with ${flags}, or with no --demo-* flags and no MAGPIE_DEMO_* variables; to move it, ${stop}.`
  );
}
