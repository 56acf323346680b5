/**
 * Counts the messages NATS carries on a subject pattern (e.g. a run's prefix + ".>"): the bench's
 * own view of how many publishes the nodes make per chat message. A few lines of the NATS text
 * protocol (INFO, CONNECT, SUB, PING/PONG, MSG and HMSG), so the bench needs no NATS client.
 */
import { connect, type Socket } from 'node:net';

export interface NatsCount {
  readonly messages: number;
  /** Payload bytes, headers included. */
  readonly bytes: number;
  /** Messages per subject kind: the token after the prefix ("push", "presence", …). */
  readonly byKind: Readonly<Record<string, number>>;
}

export interface NatsCounter {
  /** What was seen so far. */
  readonly seen: () => NatsCount;
  close(): void;
}

const CRLF = Buffer.from('\r\n');

export function countNatsMessages(url: string, subject: string): Promise<NatsCounter> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect({ host: hostname, port: Number(port || 4222) });
    let buffered: Buffer = Buffer.alloc(0);
    let messages = 0;
    let bytes = 0;
    const byKind: Record<string, number> = {};
    let subscribed = false;
    const counter: NatsCounter = { seen: () => ({ messages, bytes, byKind: { ...byKind } }), close: () => socket.destroy() };
    socket.once('error', reject);
    socket.on('data', (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      for (;;) {
        const end = buffered.indexOf(CRLF);
        if (end < 0) return;
        const line = buffered.subarray(0, end).toString('latin1');
        const words = line.split(' ');
        const op = words[0]!.toUpperCase();
        if (op === 'MSG' || op === 'HMSG') {
          // the last word is the total size of what follows (headers and payload)
          const size = Number(words[words.length - 1]);
          if (buffered.length < end + 2 + size + 2) return;
          messages++;
          bytes += size;
          const kind = words[1]!.split('.')[1] ?? '';
          byKind[kind] = (byKind[kind] ?? 0) + 1;
          buffered = buffered.subarray(end + 2 + size + 2);
          continue;
        }
        buffered = buffered.subarray(end + 2);
        if (op === 'INFO' && !subscribed) {
          subscribed = true;
          socket.write(`CONNECT {"verbose":false,"pedantic":false,"headers":true,"no_responders":true,"name":"magpie-bench-counter"}\r\nSUB ${subject} 1\r\nPING\r\n`);
        } else if (op === 'PING') {
          socket.write('PONG\r\n');
        } else if (op === 'PONG') {
          // the server has our SUB once it answers the PING that followed it
          socket.off('error', reject);
          socket.on('error', () => undefined);
          resolve(counter);
        } else if (op === '-ERR') {
          reject(new Error(`NATS refused: ${line}`));
          socket.destroy();
        }
      }
    });
  });
}

/** Whether NATS answers at url; the reason when it does not. */
export async function natsProblem(url: string): Promise<string | undefined> {
  try {
    const counter = await Promise.race([
      countNatsMessages(url, '_magpie_bench_probe'),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer in 5 s')), 5_000)),
    ]);
    counter.close();
    return undefined;
  } catch (error) {
    return `NATS at ${url} did not answer (${(error as Error).message})`;
  }
}
