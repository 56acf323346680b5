import { existsSync, readFileSync } from 'node:fs';
import { performance, PerformanceObserver } from 'node:perf_hooks';

/**
 * Measures how long work held the event loop: a 1 ms interval records each gap between two of its
 * runs. This machine is shared by several test runs on two cores (load 10 and more), so a gap's
 * wall time mostly shows the OS running someone else, and the garbage collector's pauses are
 * stretched the same way. A gap therefore counts as the main thread's own CPU time in it (Linux
 * /proc/thread-self/schedstat, nanoseconds; elsewhere process CPU time), less the GC pauses in
 * it: what is left is time our code ran without returning to the loop. The kernel updates
 * schedstat at scheduler ticks (4 ms here), so the figure is good to a tick; process CPU time is
 * exact but counts V8's helper threads too: the smaller of the two is used. The wall figures are
 * returned too, to print.
 */
export interface StallReport {
  /** The longest gap: main-thread CPU time less GC pauses. */
  readonly stallMs: number;
  /** The longest gap in wall time, GC and preemption included. */
  readonly wallMs: number;
  /** The longest single GC pause seen. */
  readonly longestGcMs: number;
  /** The worst gap's figures, to print. */
  readonly worstGap: { readonly wallMs: number; readonly cpuMs: number; readonly gcMs: number };
}

const SCHEDSTAT = '/proc/thread-self/schedstat';

function processCpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

const hasSchedstat = existsSync(SCHEDSTAT);

function threadCpuMs(): number {
  return hasSchedstat ? Number(readFileSync(SCHEDSTAT, 'latin1').split(' ')[0]) / 1e6 : processCpuMs();
}

/** A point to measure CPU time from; elapsedMs() gives the smaller of the thread and process estimates. */
export function cpuStopwatch(): { elapsedMs(): number } {
  const thread = threadCpuMs();
  const proc = processCpuMs();
  return { elapsedMs: () => Math.min(threadCpuMs() - thread, processCpuMs() - proc) };
}

export async function measureStalls(work: () => Promise<unknown>): Promise<StallReport> {
  const gcPauses: { start: number; end: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcPauses.push({ start: entry.startTime, end: entry.startTime + entry.duration });
  });
  observer.observe({ entryTypes: ['gc'] });
  const gaps: { start: number; end: number; cpuMs: number }[] = [];
  let last = performance.now();
  let cpu = cpuStopwatch();
  const timer = setInterval(() => {
    const now = performance.now();
    gaps.push({ start: last, end: now, cpuMs: cpu.elapsedMs() });
    last = now;
    cpu = cpuStopwatch();
  }, 1);
  try {
    await work();
    await new Promise((resolve) => setTimeout(resolve, 20));
  } finally {
    clearInterval(timer);
    observer.disconnect();
  }
  let stallMs = 0;
  let wallMs = 0;
  let worstGap = { wallMs: 0, cpuMs: 0, gcMs: 0 };
  for (const gap of gaps) {
    const gcMs = gcPauses.reduce((sum, p) => sum + Math.max(0, Math.min(gap.end, p.end) - Math.max(gap.start, p.start)), 0);
    const wall = gap.end - gap.start;
    const stall = Math.min(wall, gap.cpuMs) - gcMs;
    if (stall > stallMs) {
      stallMs = stall;
      worstGap = { wallMs: wall, cpuMs: gap.cpuMs, gcMs };
    }
    wallMs = Math.max(wallMs, wall);
  }
  const longestGcMs = gcPauses.reduce((max, p) => Math.max(max, p.end - p.start), 0);
  return { stallMs, wallMs, longestGcMs, worstGap };
}
