import { spawnSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';

/** Sockets that connect and then never say a word, held open until closeAll(). */
export interface SilentSockets {
  readonly opened: number;
  /** How many the server (or the network) has closed so far. */
  readonly closedByPeer: () => number;
  closeAll(): void;
}

/**
 * Spreads a test's many connections over source addresses 127.0.<block>.1-100: from one address
 * they would share one range of ephemeral ports with everything else on the machine, and with the
 * TIME_WAIT of earlier runs that range runs out (EADDRNOTAVAIL).
 */
export function loopbackSource(block: number, index: number): string {
  return `127.0.${block}.${1 + (index % 100)}`;
}

export async function openSilentSockets(host: string, port: number, count: number): Promise<SilentSockets> {
  const sockets: Socket[] = [];
  let closedByPeer = 0;
  let closing = false;
  const BATCH = 500;
  for (let start = 0; start < count; start += BATCH) {
    const batch = Array.from(
      { length: Math.min(BATCH, count - start) },
      (_, offset) =>
        new Promise<Socket>((resolve, reject) => {
          const localAddress = host.startsWith('127.') ? loopbackSource(1, start + offset) : undefined;
          const socket = connect({ host, port, localAddress }, () => resolve(socket));
          socket.once('error', reject);
        }),
    );
    for (const socket of await Promise.all(batch)) {
      socket.on('error', () => undefined);
      socket.on('close', () => {
        if (!closing) closedByPeer += 1;
      });
      sockets.push(socket);
    }
  }
  return {
    opened: sockets.length,
    closedByPeer: () => closedByPeer,
    closeAll() {
      closing = true;
      for (const socket of sockets) socket.destroy();
    },
  };
}

function shellLimit(flag: '-n' | '-Hn'): number {
  const text = spawnSync('sh', ['-c', `ulimit ${flag}`], { encoding: 'utf8' }).stdout.trim();
  return text === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(text);
}

/** The hard limit on open files: as far as prlimit can raise a process without CAP_SYS_RESOURCE. */
export function hardOpenFileLimit(): number {
  return shellLimit('-Hn');
}

/**
 * Raises this process's soft limit on open files towards `wanted` (never past the hard limit);
 * returns the limit in force.
 */
export function ensureOpenFileLimit(wanted: number): number {
  if (shellLimit('-n') >= wanted) return shellLimit('-n');
  const target = Math.min(wanted, hardOpenFileLimit());
  spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${target}:${hardOpenFileLimit()}`], { stdio: 'ignore' });
  return shellLimit('-n');
}
