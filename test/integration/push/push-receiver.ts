import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pushSignature } from '../../../server/push/push-service';

export interface ReceivedPush {
  readonly headers: Record<string, string | string[] | undefined>;
  readonly raw: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test reads the payload's fields freely
  readonly body: any;
  /** The status this call was answered with. */
  readonly status: number;
}

/** An app server's webhook on 127.0.0.1: records every call; answers the statuses queued, then 200. */
export interface PushReceiver {
  readonly url: string;
  readonly calls: ReceivedPush[];
  /** The next calls are answered with these statuses, in order. */
  failNext(...statuses: number[]): void;
  callsFor(recipient: string): ReceivedPush[];
  /** Whether the call's X-Magpie-Signature is right for the secret. */
  verify(call: ReceivedPush, secret: string): boolean;
  close(): Promise<void>;
}

export async function startPushReceiver(): Promise<PushReceiver> {
  const calls: ReceivedPush[] = [];
  const queued: number[] = [];
  const server: Server = createServer((request, response) => {
    let raw = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (raw += chunk));
    request.on('end', () => {
      const status = queued.shift() ?? 200;
      calls.push({ headers: request.headers, raw, body: JSON.parse(raw), status });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/magpie-push`,
    calls,
    failNext: (...statuses) => void queued.push(...statuses),
    callsFor: (recipient) => calls.filter((call) => call.body.recipient === recipient),
    verify(call, secret) {
      const timestamp = String(call.headers['x-magpie-timestamp']);
      return call.headers['x-magpie-signature'] === `v1=${pushSignature(secret, timestamp, call.raw)}`;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
