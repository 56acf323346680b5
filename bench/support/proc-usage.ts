/**
 * A process's resident memory and CPU time read from /proc, and the whole machine's CPU use: the
 * same reading for every process (a node, PostgreSQL, NATS), without asking the process itself.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux for x86 and arm). */
const TICKS_PER_SECOND = 100;

/** VmRSS of /proc/PID/status, in bytes. */
export function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  if (line === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(line.split(/\s+/)[1]) * 1024;
}

/** utime + stime of /proc/PID/stat, in microseconds (10 ms steps). */
export function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // the command name (field 2) may hold spaces: count fields from the ")" that closes it
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks / TICKS_PER_SECOND) * 1e6;
}

/** The sum of cpuMicros over processes. */
export function totalCpuMicros(pids: readonly number[]): number {
  return pids.reduce((sum, pid) => sum + cpuMicros(pid), 0);
}

/** Whole-machine CPU counters from /proc/stat (all cores), in ticks. */
interface MachineTicks {
  readonly busy: number;
  readonly total: number;
}

function machineTicks(): MachineTicks {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = cpu[3]! + (cpu[4] ?? 0);
  // guest time is already counted in user time
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** CPU time all cores have spent busy since boot, in microseconds (10 ms steps): every process's, the bench's own included. */
export function machineBusyMicros(): number {
  return (machineTicks().busy / TICKS_PER_SECOND) * 1e6;
}

export interface MachineLoad {
  /** Share of all cores busy over the window, 0..1. */
  readonly busy: number;
  /** 1-minute load average at the window's end. */
  readonly loadAverage: number;
}

/** Starts a window over the whole machine's CPU; the returned function ends it. */
export function machineLoadWindow(): () => MachineLoad {
  const start = machineTicks();
  return () => {
    const end = machineTicks();
    const total = end.total - start.total;
    return { busy: total > 0 ? (end.busy - start.busy) / total : 0, loadAverage: loadavg()[0]! };
  };
}

export function describeLoad(load: MachineLoad): string {
  return `machine ${(load.busy * 100).toFixed(0)} % busy, load ${load.loadAverage.toFixed(2)}`;
}
