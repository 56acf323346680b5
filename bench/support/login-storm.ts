/**
 * Idle sessions logged in on several nodes at once: one client process per node, each from its
 * own 127.0.0.x source address (one address has only ~28k ephemeral ports towards one port),
 * paced so the storm stays below what the nodes accept. Progress goes to stderr every 10,000.
 */
import { forkIdleClients, type IdleClients } from './idle-clients';
import { fmt } from './table';

export interface StormTarget {
  readonly port: number;
  readonly appId: string;
  readonly appToken: string;
  /** Sessions to log in on this node; users idle<firstUser>… */
  readonly count: number;
  readonly firstUser: number;
  /** Which 127.0.0.x the client process binds to (x = 2 + index). */
  readonly index: number;
}

export interface StormResult {
  readonly groups: IdleClients[];
  readonly ok: number;
  readonly failed: number;
  readonly firstError: string;
  readonly seconds: number;
}

export async function loginStorm(targets: readonly StormTarget[], pace: { loginsPerSecond: number; concurrency: number }): Promise<StormResult> {
  const started = Date.now();
  const progress = new Array<number>(targets.length).fill(0);
  let reported = 0;
  const groups = targets.map((target, k) => {
    const group = forkIdleClients({
      port: target.port,
      appId: target.appId,
      appToken: target.appToken,
      count: target.count,
      firstUser: target.firstUser,
      localAddress: `127.0.0.${2 + target.index}`,
      concurrency: pace.concurrency,
      loginsPerSecond: pace.loginsPerSecond,
    });
    group.onProgress = (ok) => {
      progress[k] = ok;
      const total = progress.reduce((a, b) => a + b, 0);
      if (total - reported >= 10_000) {
        reported = total;
        process.stderr.write(`  ${fmt(total)} sessions logged in after ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
      }
    };
    return group;
  });
  const results = await Promise.all(groups.map((g) => g.ready.catch((error: Error) => ({ ok: 0, failed: 0, firstError: error.message }))));
  return {
    groups,
    ok: results.reduce((a, r) => a + r.ok, 0),
    failed: results.reduce((a, r) => a + r.failed, 0),
    firstError: results.find((r) => r.firstError)?.firstError ?? '',
    seconds: (Date.now() - started) / 1000,
  };
}
