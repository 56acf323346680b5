import { mkdtemp, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeSelfSignedCert, type CertFiles } from '../../support/self-signed-cert';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';
import type { Tuning } from '../../../server/tuning';

/** The first bytes of a TLS ClientHello record, and then nothing: a handshake that never ends. */
const STALLED_HELLO = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x50, 0x01]);

describe('the TLS port and handshakes that never end', () => {
  let certDir: string;
  let cert: CertFiles;
  let world: TestServer | undefined;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    certDir = await mkdtemp(join(tmpdir(), 'magpie-tls-stall-'));
    cert = makeSelfSignedCert(certDir);
  });
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.destroy();
    await world?.stop();
    world = undefined;
  });
  afterAll(async () => {
    await rm(certDir, { recursive: true, force: true, maxRetries: 5 });
  });

  function start(tuning: Partial<Tuning>): Promise<TestServer> {
    return startTestServer({ tls: { certFile: cert.certFile, keyFile: cert.keyFile }, tuning });
  }

  /** A raw socket to the TLS port that begins a ClientHello and never finishes it. */
  function stalled(port: number, localAddress = '127.0.0.1'): Promise<{ socket: Socket; closed: Promise<number> }> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: '127.0.0.1', localAddress }, () => {
        socket.write(STALLED_HELLO);
        const opened = Date.now();
        resolve({ socket, closed: new Promise((done) => socket.once('close', () => done(Date.now() - opened))) });
      });
      socket.once('error', reject);
      socket.on('error', () => undefined);
      sockets.push(socket);
    });
  }

  it('closes a stalled handshake within the login timeout', async () => {
    world = await start({ loginTimeoutMs: 300 });
    const { closed } = await stalled(world.tlsPort!);
    // Node's own handshake timeout would hold it 120 s
    const heldMs = await Promise.race([closed, new Promise<number>((resolve) => setTimeout(() => resolve(Infinity), 5_000))]);
    expect(heldMs).toBeGreaterThanOrEqual(250);
    expect(heldMs).toBeLessThan(5_000);
  });

  it('counts handshakes under way against the pending connections of their address, and only of that address', async () => {
    world = await start({ maxPendingConnectionsPerAddress: 2 });
    const held = [await stalled(world.tlsPort!), await stalled(world.tlsPort!)];
    const third = await stalled(world.tlsPort!);
    const heldMs = await Promise.race([third.closed, new Promise<number>((resolve) => setTimeout(() => resolve(Infinity), 3_000))]);
    expect(heldMs).toBeLessThan(3_000);
    for (const { socket } of held) expect(socket.destroyed).toBe(false);

    // another address logs in over TLS meanwhile
    const other = await TestClient.connect(world.tlsPort!, { tls: true, localAddress: '127.0.0.2' });
    await other.hello();
    expect((await other.loginWithAppToken(world.appId, world.appToken, 'tlsother')).userId).toBe('tlsother');
    await other.close();

    // once the stalled ones go, their address connects again
    for (const { socket } of held) socket.destroy();
    await Promise.all(held.map(({ closed }) => closed));
    const back = await TestClient.connect(world.tlsPort!, { tls: true });
    await back.hello();
    await back.close();
  });

  it('does not hold a stop for a stalled handshake or a silent socket on the TLS port', async () => {
    world = await start({ shutdownGraceMs: 200 });
    await stalled(world.tlsPort!);
    const silent = connect({ port: world.tlsPort!, host: '127.0.0.1' });
    silent.on('error', () => undefined);
    sockets.push(silent);
    await new Promise((resolve) => silent.once('connect', resolve));
    const stopping = world.stop();
    world = undefined;
    const started = Date.now();
    const stopped = await Promise.race([stopping.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5_000))]);
    expect(stopped).toBe(true);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
