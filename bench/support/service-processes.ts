/**
 * The processes of the shared services that work for the bench's nodes: the PostgreSQL backends
 * serving the nodes' connections (found by matching the nodes' sockets to pg_stat_activity's
 * client ports), and the NATS server (one process, shared with whatever else uses it).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { BENCH_PG, psql } from './pg-schema';

/** Socket inodes a process holds open. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]!);
    } catch {
      // closed meanwhile
    }
  }
  return inodes;
}

/** Local ports of the given processes' TCP connections to remotePort (IPv4 and IPv6). */
function localPortsTo(pids: readonly number[], remotePort: number): number[] {
  const inodes = new Set(pids.flatMap((pid) => [...socketInodes(pid)]));
  const ports: number[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10) continue;
      const local = parseInt(cols[1]!.split(':')[1]!, 16);
      const remote = parseInt(cols[2]!.split(':')[1]!, 16);
      if (remote === remotePort && inodes.has(cols[9]!)) ports.push(local);
    }
  }
  return ports;
}

/** The PostgreSQL backend processes serving the nodes' connections now. */
export async function postgresBackends(nodePids: readonly number[]): Promise<number[]> {
  const ports = localPortsTo(nodePids, BENCH_PG.port);
  if (ports.length === 0) return [];
  const out = await psql(`select pid from pg_stat_activity where client_port in (${ports.join(',')})`);
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map(Number);
}

/** The nats-server process on this machine, or undefined. */
export function natsServerPid(): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === 'nats-server') return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}
