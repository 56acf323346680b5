/**
 * One end of a 1:1 chat in a process of its own (forked by chat-processes.ts), so the sender's and
 * the receiver's event loops are neither the other's nor the parent's: the tail of a latency
 * measures the server, not the harness. Times come from process.hrtime, the system-wide monotonic
 * clock (CLOCK_MONOTONIC), so the sender's send times and the receiver's receipt times compare.
 * argv[2]: JSON of { system, role }.
 */
import { createConnection, createServer, type Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openChatEnd, type ChatEnd, type ChatRole, type ChatSystem } from './chat-ends';
import type { EndReply, EndRequest } from './chat-processes';

/** Milliseconds on the system-wide monotonic clock, comparable between processes. */
function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

const reply = (message: EndReply) => process.send?.(message);

/** This process's CPU time (user + system) since `from`, µs. */
function cpuSince(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return used.user + used.system;
}

async function main(): Promise<void> {
  const { system, role } = JSON.parse(process.argv[2]!) as { system: ChatSystem; role: ChatRole };
  const end = await openChatEnd(system, role);
  const loop = monitorEventLoopDelay({ resolution: 1 });
  // serial mode: the receiver says "i arrived" on a socket straight to the sender (one loopback hop)
  const signals = role === 'sender' ? await signalServer() : undefined;

  let receiving: { tag: string; at: Float64Array; count: number; n: number; cpuFrom: NodeJS.CpuUsage; signal?: Socket } | undefined;
  end.onReceive = (text) => {
    const at = monotonicMs();
    const r = receiving;
    if (r === undefined || !text.startsWith(`${r.tag}:`)) return;
    const i = Number(text.slice(r.tag.length + 1));
    if (!Number.isInteger(i) || i < 0 || i >= r.n || !Number.isNaN(r.at[i]!)) return;
    r.at[i] = at;
    r.count++;
    if (r.signal) {
      const word = Buffer.alloc(4);
      word.writeUInt32LE(i);
      r.signal.write(word);
    }
    if (r.count === r.n) report();
  };

  function report(): void {
    const r = receiving;
    if (r === undefined) return;
    receiving = undefined;
    r.signal?.end();
    loop.disable();
    reply({ type: 'received', tag: r.tag, at: Array.from(r.at), loopP99Ms: loop.percentile(99) / 1e6, loopMaxMs: loop.max / 1e6, cpuMicros: cpuSince(r.cpuFrom) });
  }

  process.on('message', (request: EndRequest) => {
    void (async () => {
      switch (request.type) {
        case 'expect': {
          const signal = request.signalPort === undefined ? undefined : await connectSignal(request.signalPort);
          receiving = { tag: request.tag, at: new Float64Array(request.n).fill(Number.NaN), count: 0, n: request.n, cpuFrom: process.cpuUsage(), ...(signal ? { signal } : {}) };
          loop.reset();
          loop.enable();
          reply({ type: 'expecting' });
          break;
        }
        case 'report':
          report();
          break;
        case 'run': {
          loop.reset();
          loop.enable();
          const cpuFrom = process.cpuUsage();
          const sentAt = await run(end, request, signals);
          loop.disable();
          reply({ type: 'sent', at: Array.from(sentAt), loopP99Ms: loop.percentile(99) / 1e6, loopMaxMs: loop.max / 1e6, cpuMicros: cpuSince(cpuFrom) });
          break;
        }
        case 'stop':
          await end.close();
          process.exit(0);
      }
    })();
  });
  process.on('disconnect', () => process.exit(0));
  reply({ type: 'ready', ...(signals ? { signalPort: signals.port } : {}) });
}

/** The sender's end of the serial signal: a listener; `next(i)` resolves when the receiver has i. */
interface Signals {
  readonly port: number;
  next(i: number, timeoutMs: number): Promise<boolean>;
}

async function signalServer(): Promise<Signals> {
  const arrived = new Set<number>();
  const waiters = new Map<number, () => void>();
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 4) {
        const i = buffered.readUInt32LE(0);
        buffered = buffered.subarray(4);
        arrived.add(i);
        waiters.get(i)?.();
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return {
    port: (server.address() as { port: number }).port,
    next: (i, timeoutMs) =>
      new Promise((resolve) => {
        if (arrived.delete(i)) return resolve(true);
        const timer = setTimeout(() => {
          waiters.delete(i);
          resolve(false);
        }, timeoutMs);
        waiters.set(i, () => {
          clearTimeout(timer);
          waiters.delete(i);
          arrived.delete(i);
          resolve(true);
        });
      }),
  };
}

function connectSignal(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => resolve(socket));
    socket.setNoDelay(true);
    socket.once('error', reject);
  });
}

/** Sends n texts `${tag}:${i}` in the run's mode; returns each one's send time. */
async function run(end: ChatEnd, request: Extract<EndRequest, { type: 'run' }>, signals: Signals | undefined): Promise<Float64Array> {
  const { n, tag } = request;
  const sentAt = new Float64Array(n).fill(Number.NaN);
  const send = (i: number) => {
    sentAt[i] = monotonicMs();
    end.send(`${tag}:${i}`);
  };
  if (request.mode === 'burst') {
    for (let i = 0; i < n; i++) send(i);
  } else if (request.mode === 'serial') {
    for (let i = 0; i < n; i++) {
      send(i);
      if (!(await signals!.next(i, request.timeoutMs))) break;
    }
  } else {
    // each 1 ms tick sends what is due by then
    const startedAt = monotonicMs();
    let next = 0;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const due = Math.min(n, Math.floor(((monotonicMs() - startedAt) / 1000) * request.rate!) + 1);
        while (next < due) send(next++);
        if (next < n) setTimeout(tick, 1);
        else resolve();
      };
      tick();
    });
  }
  return sentAt;
}

void main();
