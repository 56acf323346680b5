/**
 * Holds silent sockets open, then feeds a server fuzzed frames from several sockets at once until a
 * total is written. The silent sockets live here, not in the test, so that the process measuring
 * the normal client's latency carries none of the attack's weight. Each fuzz socket
 * writes its opening and then batches of frames; when the server closes it (as it must on a bad
 * frame or a flood), the socket reconnects and goes on. Prints a progress line now and then and a
 * final {"done":{...}} line with what it did.
 *
 * Usage: node --import tsx frame-fuzzer.main.ts '<FuzzerSpec as JSON>'
 */
import { connect, type Socket } from 'node:net';
import { FrameDecoder, FrameType } from '../../../protocol';
import { seededRandom } from './client-pool';
import { loopbackSource, openSilentSockets } from './silent-sockets';
import { createFrameFuzzer } from './fuzz-frames';
import type { FuzzerSpec } from './frame-fuzzer';

const spec = JSON.parse(process.argv[2]!) as FuzzerSpec;
const random = seededRandom(spec.seed);
const fuzzer = createFrameFuzzer(random, spec.login);
/**
 * Encoding protobuf for every one of a million frames would keep this process busier than the
 * server it attacks, on a two-core machine: draw stream frames from a pool made up front instead.
 */
const POOL_SIZE = 20_000;
const pool = Array.from({ length: POOL_SIZE }, () => fuzzer.next(spec.brokenShare));
const nextFrame = () => pool[Math.floor(random() * POOL_SIZE)]!;
const tally = { frames: 0, brokenFrames: 0, connections: 0, closedByServer: 0, refusedRequests: 0, connectErrors: 0 };
/** How long a socket that has written its share waits for the server's verdict before it leaves. */
const LINGER_MS = 100;
const BATCH_FRAMES = 64;

function report(kind: 'progress' | 'done'): void {
  process.stdout.write(`${JSON.stringify({ [kind]: tally })}\n`);
}

/** One connection: the opening, then batches (waiting for drain) until the server closes it or the total is reached. */
function runConnection(): Promise<void> {
  return new Promise((resolve) => {
    tally.connections += 1;
    const localAddress = spec.host.startsWith('127.') ? loopbackSource(2, tally.connections) : undefined;
    const socket: Socket = connect({ host: spec.host, port: spec.port, localAddress });
    let leaving = false;
    // the server's answers: an ERROR with a request id refuses one request without closing
    const decoder = new FrameDecoder({ maxFrameBytes: 64 * 1024 * 1024 });
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) if (frame.type === FrameType.ERROR && frame.requestId !== undefined) tally.refusedRequests += 1;
    });
    // this side never half-closes (it destroys when done), so an end is always the server hanging up
    socket.once('end', () => (tally.closedByServer += 1));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
    socket.once('connect', () => {
      const opening = fuzzer.opening();
      for (const frame of opening) socket.write(frame.bytes);
      tally.frames += opening.length;
      // a connection lives for a random number of frames unless the server closes it first
      let budget = Math.floor(random() * spec.framesPerConnectionMax);
      const writeBatch = (): void => {
        while (!socket.destroyed && budget > 0 && tally.frames < spec.frames) {
          const parts: Uint8Array[] = [];
          for (let i = 0; i < BATCH_FRAMES && budget > 0 && tally.frames < spec.frames; i++, budget--) {
            const frame = nextFrame();
            parts.push(frame.bytes);
            tally.frames += 1;
            if (!frame.wellFormed) tally.brokenFrames += 1;
          }
          if (!socket.write(Buffer.concat(parts))) {
            socket.once('drain', writeBatch);
            return;
          }
        }
        if (!socket.destroyed && !leaving) {
          leaving = true;
          setTimeout(() => socket.destroy(), LINGER_MS).unref();
        }
      };
      writeBatch();
    });
    socket.once('error', () => {
      if (socket.connecting) tally.connectErrors += 1;
    });
  });
}

async function worker(): Promise<void> {
  while (tally.frames < spec.frames) await runConnection();
}

const silent = await openSilentSockets(spec.host, spec.port, spec.silentSockets);
process.stdout.write(`${JSON.stringify({ silentReady: silent.opened })}\n`);
const progress = setInterval(() => report('progress'), 500);
await Promise.all(Array.from({ length: spec.sockets }, worker));
clearInterval(progress);
process.stdout.write(`${JSON.stringify({ done: { ...tally, silentSockets: silent.opened, silentClosedByServer: silent.closedByPeer() } })}\n`);
silent.closeAll();
process.exit(0);
