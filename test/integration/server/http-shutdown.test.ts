import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/test-server';

const GRACE_MS = 500;

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => (socket.destroyed || socket.readyState === 'closed' ? resolve() : socket.once('close', () => resolve())));
}

/** A stopping server does not wait on HTTP sockets its peers keep open without a request. */
describe('the HTTP listener when the server stops', () => {
  let server: TestServer | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    await server?.stop();
  });

  it('stops within the grace although sockets sent nothing or only part of a request', async () => {
    server = await startTestServer({ tuning: { shutdownGraceMs: GRACE_MS } });
    // what a browser's preconnect looks like, and a request whose headers never end
    const silent = await open(server.httpPort);
    const partial = await open(server.httpPort);
    partial.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    sockets.push(silent, partial);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const started = Date.now();
    const stopping = server.stop();
    server = undefined;
    const outcome = await Promise.race([stopping.then(() => 'stopped'), new Promise((resolve) => setTimeout(() => resolve('still waiting'), 10_000))]);
    expect(outcome).toBe('stopped');
    expect(Date.now() - started).toBeLessThan(GRACE_MS + 3_000);
    await Promise.all([closed(silent), closed(partial)]);
  }, 30_000);
});
