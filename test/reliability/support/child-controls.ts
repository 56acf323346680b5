import type { ChildProcess } from 'node:child_process';

/**
 * kill (SIGKILL, as a crash) and stop (SIGTERM, then SIGKILL after graceMs) of a server process a
 * test started; both resolve once it has exited.
 */
export function childControls(child: ChildProcess, exited: Promise<unknown>, isAlive: () => boolean, graceMs: number) {
  return {
    async kill(): Promise<void> {
      if (isAlive()) child.kill('SIGKILL');
      await exited;
    },
    async stop(): Promise<void> {
      if (!isAlive()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
