/**
 * The 1:1 runs (burst, serial, paced) with the sender and the receiver each in a process of its
 * own (chat-end-child.ts), timed on the system-wide monotonic clock. The parent only starts runs
 * and joins the send times with the receipt times.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { ChatRole, ChatSystem } from './chat-ends';
import { summarize, type LatencySummary } from './stats';

export type EndRequest =
  | { type: 'expect'; tag: string; n: number; signalPort?: number }
  | { type: 'report' }
  | { type: 'run'; mode: RunMode; tag: string; n: number; rate?: number; timeoutMs: number }
  | { type: 'stop' };
export type EndReply =
  | { type: 'ready'; signalPort?: number }
  | { type: 'expecting' }
  | { type: 'sent'; at: number[]; loopP99Ms: number; loopMaxMs: number; cpuMicros: number }
  | { type: 'received'; tag: string; at: number[]; loopP99Ms: number; loopMaxMs: number; cpuMicros: number };

export type RunMode = 'burst' | 'serial' | 'paced';

export interface RunResult extends LatencySummary {
  readonly messagesPerSecond: number;
  /** Messages not received before the timeout (0 in a good run). */
  readonly missing: number;
  /** Event-loop delay of each end's process during the run (1 ms resolution). */
  readonly loops: { readonly senderP99Ms: number; readonly senderMaxMs: number; readonly receiverP99Ms: number; readonly receiverMaxMs: number };
  /** CPU time (user + system) of each end's process per message sent, µs: the client side's share of the two cores. */
  readonly endCpuUs: { readonly sender: number; readonly receiver: number };
}

export interface ProcessPair {
  run(mode: RunMode, n: number, options?: { tag?: string; rate?: number; timeoutMs?: number }): Promise<RunResult>;
  close(): Promise<void>;
}

interface End {
  readonly child: ChildProcess;
  next<T extends EndReply['type']>(type: T): Promise<Extract<EndReply, { type: T }>>;
  send(request: EndRequest): void;
}

function forkEnd(system: ChatSystem, role: ChatRole): End {
  const child = fork(join(import.meta.dirname, 'chat-end-child.ts'), [JSON.stringify({ system, role })], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return {
    child,
    next: (type) =>
      new Promise((resolve, reject) => {
        const onMessage = (message: EndReply) => {
          if (message.type !== type) return;
          child.off('message', onMessage);
          child.off('exit', onExit);
          resolve(message as never);
        };
        const onExit = (code: number | null) => {
          child.off('message', onMessage);
          reject(new Error(`the ${role} process exited (code ${String(code)})`));
        };
        child.on('message', onMessage);
        child.once('exit', onExit);
      }),
    send: (request) => child.send(request),
  };
}

/** Starts the receiver (logged in first, so nothing is sent before it listens), then the sender. */
export async function forkChatPair(system: ChatSystem): Promise<ProcessPair> {
  const receiver = forkEnd(system, 'receiver');
  await receiver.next('ready');
  const sender = forkEnd(system, 'sender');
  const { signalPort } = await sender.next('ready');
  let runs = 0;
  return {
    async run(mode, n, options = {}) {
      const tag = options.tag ?? `${mode}${++runs}`;
      const timeoutMs = options.timeoutMs ?? 120_000;
      const expecting = receiver.next('expecting');
      receiver.send({ type: 'expect', tag, n, ...(mode === 'serial' && signalPort !== undefined ? { signalPort } : {}) });
      await expecting;
      const received = receiver.next('received');
      const sent = sender.next('sent');
      sender.send({ type: 'run', mode, tag, n, timeoutMs, ...(options.rate === undefined ? {} : { rate: options.rate }) });
      const sentAt = await sent;
      const timer = setTimeout(() => receiver.send({ type: 'report' }), timeoutMs);
      const got = await received;
      clearTimeout(timer);
      return result(sentAt, got);
    },
    async close() {
      for (const end of [sender, receiver]) {
        if (end.child.exitCode !== null) continue;
        const exited = new Promise<void>((resolve) => end.child.once('exit', () => resolve()));
        end.send({ type: 'stop' });
        const kill = setTimeout(() => end.child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(kill);
      }
    },
  };
}

function result(sent: Extract<EndReply, { type: 'sent' }>, received: Extract<EndReply, { type: 'received' }>): RunResult {
  const latencies: number[] = [];
  let first = Infinity;
  let last = -Infinity;
  for (const [i, at] of received.at.entries()) {
    const from = sent.at[i]!;
    if (!Number.isNaN(from)) first = Math.min(first, from);
    if (Number.isNaN(at) || Number.isNaN(from)) continue;
    latencies.push(at - from);
    last = Math.max(last, at);
  }
  const elapsedS = (last - first) / 1000;
  return {
    ...summarize(latencies),
    messagesPerSecond: latencies.length / elapsedS,
    missing: received.at.length - latencies.length,
    loops: { senderP99Ms: sent.loopP99Ms, senderMaxMs: sent.loopMaxMs, receiverP99Ms: received.loopP99Ms, receiverMaxMs: received.loopMaxMs },
    endCpuUs: { sender: sent.cpuMicros / received.at.length, receiver: received.cpuMicros / received.at.length },
  };
}
