import { spawnSync } from 'node:child_process';
import { connect, type Socket } from 'node:net';

/** Sockets that connect and then never say a word, held open until closeAll(). */
export interface SilentSockets {
  readonly opened: number;
  /** How many the server (or the network) has closed so far. */
  readonly closedByPeer: () => number;
  closeAll(): void;
}

export async function openSilentSockets(host: string, port: number, count: number): Promise<SilentSockets> {
  const sockets: Socket[] = [];
  let closedByPeer = 0;
  let closing = false;
  const BATCH = 500;
  for (let start = 0; start < count; start += BATCH) {
    const batch = Array.from(
      { length: Math.min(BATCH, count - start) },
      () =>
        new Promise<Socket>((resolve, reject) => {
          const socket = connect({ host, port }, () => resolve(socket));
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
