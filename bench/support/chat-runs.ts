/**
 * The three ways the 1:1 bench drives a ChatPair: burst (all at once), serial (one in flight) and
 * paced (a fixed rate). Latency is send → B's receipt, both ends in this process on one clock.
 */
import type { ChatPair } from './chat-drivers';
import { nowMs, summarize, type LatencySummary } from './stats';

export interface RunResult extends LatencySummary {
  readonly messagesPerSecond: number;
  /** Messages not received before the timeout (0 in a good run). */
  readonly missing: number;
}

/** Collects receipts of texts `${tag}:${i}` and resolves when all n are in or the timeout passes. */
function collector(pair: ChatPair, tag: string, n: number, timeoutMs: number) {
  const sentAt = new Float64Array(n);
  const latencies: number[] = [];
  let received = 0;
  let lastAt = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const timer = setTimeout(() => finish(), timeoutMs);
  const prefix = `${tag}:`;
  const waiters = new Map<number, () => void>();
  pair.onReceive = (text) => {
    if (!text.startsWith(prefix)) return;
    const i = Number(text.slice(prefix.length));
    const at = nowMs();
    latencies.push(at - sentAt[i]!);
    lastAt = at;
    received++;
    waiters.get(i)?.();
    waiters.delete(i);
    if (received === n) finish();
  };
  return {
    send(i: number) {
      sentAt[i] = nowMs();
      pair.send(`${prefix}${i}`);
    },
    /** Sends i and resolves when B has it. */
    sendAndWait(i: number): Promise<void> {
      return new Promise((resolve) => {
        waiters.set(i, resolve);
        sentAt[i] = nowMs();
        pair.send(`${prefix}${i}`);
      });
    },
    async result(startedAt: number): Promise<RunResult> {
      await done;
      clearTimeout(timer);
      pair.onReceive = () => undefined;
      const elapsedS = (lastAt - startedAt) / 1000;
      return { ...summarize(latencies), messagesPerSecond: received / elapsedS, missing: n - received };
    },
    timedOut: done,
  };
}

export async function burst(pair: ChatPair, n: number, tag = 'burst', timeoutMs = 120_000): Promise<RunResult> {
  const c = collector(pair, tag, n, timeoutMs);
  const startedAt = nowMs();
  for (let i = 0; i < n; i++) c.send(i);
  return c.result(startedAt);
}

export async function serial(pair: ChatPair, n: number, tag = 'serial', timeoutMs = 120_000): Promise<RunResult> {
  const c = collector(pair, tag, n, timeoutMs);
  const startedAt = nowMs();
  let gaveUp = false;
  void c.timedOut.then(() => (gaveUp = true));
  for (let i = 0; i < n && !gaveUp; i++) await Promise.race([c.sendAndWait(i), c.timedOut]);
  return c.result(startedAt);
}

/** n messages at `rate` per second: each 1 ms tick sends what is due by then. */
export async function paced(pair: ChatPair, n: number, rate: number, tag = 'paced', timeoutMs = 120_000): Promise<RunResult> {
  const c = collector(pair, tag, n, timeoutMs);
  const startedAt = nowMs();
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(n, Math.floor(((nowMs() - startedAt) / 1000) * rate) + 1);
      while (next < due) c.send(next++);
      if (next < n) setTimeout(tick, 1);
      else resolve();
    };
    tick();
  });
  return c.result(startedAt);
}
