import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createNetServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventName, EventPayloads } from '../../../preload/api';
import { MagpieCore } from '../../../main/core/magpie-core';
import { fastTestTuning } from '../../../main/engine/tuning';
import { routeLogin } from '../../../main/local-server/local-route';
import { ensureLocalServer, localServerRoute, stopLocalServer } from '../../../main/local-server/local-server';
import { createSelfSignedCert } from '../../../main/local-server/self-signed-cert';
import { createKeyFileSecretBox } from '../../../main/settings/secret-box';
import { freePort } from '../../support/free-port';

const SERVER_BIN = join(import.meta.dirname, '../../../bin/magpie-server.js');


const listen = (server: Server, port: number) => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
const close = (server: Server) => new Promise((resolve) => server.close(resolve));

describe('the route to the local demo server', () => {
  const route = { address: '127.0.0.1:8883', tlsAddress: 'tls://127.0.0.1:8884', caFile: '/demo/local-tls.crt' };

  it('sends a login naming the demo server, by either address, over TLS with its certificate', () => {
    for (const named of ['127.0.0.1:8883', 'tcp://127.0.0.1:8883', ' localhost:8883 ', 'TLS://127.0.0.1:8884']) {
      expect(routeLogin([named], undefined, route)).toEqual({ servers: ['tls://127.0.0.1:8884'], caFile: '/demo/local-tls.crt' });
    }
    // a CA file given in the form does not replace the demo server's own certificate
    expect(routeLogin(['127.0.0.1:8883'], '/elsewhere/ca.pem', route).caFile).toBe('/demo/local-tls.crt');
  });

  it('leaves every other login as it is', () => {
    expect(routeLogin(['127.0.0.1:9883'], undefined, route)).toEqual({ servers: ['127.0.0.1:9883'], caFile: undefined });
    expect(routeLogin(['im.example.com:8883'], '/ca.pem', route)).toEqual({ servers: ['im.example.com:8883'], caFile: '/ca.pem' });
    // several addresses are the user's own setup
    expect(routeLogin(['127.0.0.1:8883', 'b:1'], undefined, route).servers).toEqual(['127.0.0.1:8883', 'b:1']);
    expect(routeLogin(['127.0.0.1:8883'], undefined, undefined).servers).toEqual(['127.0.0.1:8883']);
  });
});

describe('the app and the local demo server', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'magpie-local-route-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('knows the route while the server is down, from where it last ran', () => {
    const dataDir = join(root, 'never-started');
    const route = localServerRoute(dataDir)!;
    expect(route).toMatchObject({ address: '127.0.0.1:8883', tlsAddress: 'tls://127.0.0.1:8884' });
    expect(route.caFile).toBe(join(dataDir, 'local-tls.crt'));
  });

  it('signs in to it over TLS, and once it stopped never sends a sign-in to a program that took its ports', { timeout: 90_000 }, async () => {
    const dataDir = join(root, 'demo');
    const ports = { port: await freePort(), tlsPort: await freePort(), httpPort: await freePort() };
    const local = await ensureLocalServer({ serverBin: SERVER_BIN, dataDir, ...ports });
    const profileDir = join(root, 'profile');
    const events: EventName[] = [];
    const core = new MagpieCore({
      profileDir,
      shell: 'web',
      version: '0.0.0',
      secretBox: createKeyFileSecretBox(join(profileDir, 'secret.key')),
      emit: <E extends EventName>(event: E, _payload: EventPayloads[E]) => void events.push(event),
      log: pino({ level: 'silent' }),
      tuning: fastTestTuning,
      localServer: local.route,
    });
    const strangers: Server[] = [];
    try {
      const alice = local.demo!.users[0]!;
      // the address the login screen offers: the plain one
      const view = await core.handlers['session.login']({
        servers: local.demo!.servers,
        appId: local.demo!.appId,
        auth: { type: 'password', user: alice.user, password: alice.password },
        remember: true,
      });
      expect(view.servers).toEqual([`127.0.0.1:${ports.port}`]);
      const online = await core.handlers['session.connection']({});
      // the TLS port answered (the address is shown as host:port)
      expect(online).toMatchObject({ state: 'online', server: `127.0.0.1:${ports.tlsPort}` });

      expect(await stopLocalServer(dataDir)).toBe(true);
      // another program takes both ports: plain, and TLS with a certificate of its own
      let plainBytes = 0;
      let tlsSessions = 0;
      const plain = createNetServer((socket) => socket.on('data', (chunk) => (plainBytes += chunk.length)));
      const other = createSelfSignedCert({ commonName: 'Magpie local server', ips: ['127.0.0.1'], dnsNames: ['localhost'] });
      const tls = createTlsServer({ key: other.keyPem, cert: other.certPem }, (socket) => {
        tlsSessions++;
        socket.destroy();
      });
      tls.on('tlsClientError', () => undefined);
      strangers.push(plain, tls);
      await listen(plain, ports.port);
      await listen(tls, ports.tlsPort);
      // the session reconnects on its own (fast test backoff): several tries fit in this wait
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(plainBytes).toBe(0);
      expect(tlsSessions).toBe(0);
      expect((await core.handlers['session.connection']({})).state).not.toBe('online');
    } finally {
      await core.shutdown();
      await Promise.all(strangers.map(close));
      await stopLocalServer(dataDir).catch(() => false);
    }
  });
});
