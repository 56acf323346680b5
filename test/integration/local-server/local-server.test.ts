import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createNetServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode, MagpieError } from '../../../protocol';
import { loginRequest } from '../../../main/client/login-request';
import { MagpieClient } from '../../../main/client/magpie-client';
import { fastTestTuning } from '../../../main/engine/tuning';
import { ensureLocalServer, LocalServerElsewhereError, stopLocalServer, type LocalServer } from '../../../main/local-server/local-server';
import { createSelfSignedCert } from '../../../main/local-server/self-signed-cert';
import { ensureIdentity, portAccepts, readRecord } from '../../../main/local-server/local-server-identity';
import { runSource } from '../../support/run-source';
import { freePort } from '../../support/free-port';

const SERVER_BIN = join(import.meta.dirname, '../../../bin/magpie-server.js');
const CHILD = join(import.meta.dirname, '../../support/local-server-child.ts');


function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the local demo server', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'magpie-local-server-'));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it('makes a certificate that TLS accepts, with the fingerprint it records', () => {
    const made = createSelfSignedCert({ commonName: 'Magpie local server', ips: ['127.0.0.1'], dnsNames: ['localhost'] });
    const cert = new X509Certificate(made.certPem);
    expect(cert.fingerprint256).toBe(made.fingerprint256);
    expect(cert.subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost');
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(new Date(cert.validTo).getUTCFullYear()).toBe(2049);
  });

  it('outlives the shell that started it, is reused by a second shell, and its demo accounts log in', { timeout: 90_000 }, async () => {
    const dataDir = join(root, 'shared');
    // every port its own: the default HTTP port may be another server's (a user's demo server, another test)
    const options = { serverBin: SERVER_BIN, dataDir, port: await freePort(), tlsPort: await freePort(), httpPort: await freePort() };
    let first: LocalServer | undefined;
    try {
      // the shell that starts it quits at once: the server must not go with it
      const shell = spawnSync(process.execPath, [...runSource(CHILD), SERVER_BIN, dataDir, String(options.port), String(options.tlsPort), String(options.httpPort)], {
        encoding: 'utf8',
      });
      expect(shell.status, shell.stderr).toBe(0);
      first = JSON.parse(shell.stdout) as LocalServer;
      expect(first.reused).toBe(false);
      expect(first.pid).toBeGreaterThan(0);
      expect(isAlive(first.pid!)).toBe(true);
      expect(first.demo?.users.map((u) => u.user)).toEqual(['alice', 'bob']);

      // a second shell (the browser version beside the desktop app): the same server, the same accounts
      const second = await ensureLocalServer(options);
      expect(second).toEqual({ ...first, reused: true });

      const demo = second.demo!;
      const alice = demo.users[0]!;
      const client = new MagpieClient({
        profileDir: join(root, 'profile'),
        servers: demo.servers,
        login: { ...loginRequest(demo.appId, { type: 'password', user: alice.user, password: alice.password }, { deviceId: 'local-test' }), appId: demo.appId, user: alice.user },
        tuning: fastTestTuning,
        log: pino({ level: 'silent' }),
      });
      try {
        await client.start();
        expect(client.status.state).toBe('online');
      } finally {
        client.close();
        await client.store.closed;
      }
    } finally {
      expect(await stopLocalServer(dataDir)).toBe(true);
    }
    expect(isAlive(first!.pid!)).toBe(false);
  });

  it('restarted by hand with the same command line, is reused under its new pid, never the old one', { timeout: 90_000 }, async () => {
    const dataDir = join(root, 'restarted');
    const options = { serverBin: SERVER_BIN, dataDir, port: await freePort(), tlsPort: await freePort(), httpPort: await freePort() };
    const first = await ensureLocalServer(options);
    let byHand: ChildProcess | undefined;
    try {
      expect(await stopLocalServer(dataDir)).toBe(true);
      expect(isAlive(first.pid!)).toBe(false);
      // the user starts it again by hand, as `ps` showed it: not through ensureLocalServer
      const identity = ensureIdentity(dataDir);
      byHand = spawn(process.execPath, [SERVER_BIN, 'start', '--demo', '--data', dataDir, '--host', '127.0.0.1', '--port', String(options.port),
        '--tls-cert', identity.certFile, '--tls-key', identity.keyFile, '--tls-port', String(options.tlsPort), '--http-port', String(options.httpPort)], { stdio: 'ignore' });
      // listening on both ports: the reuse probe proves it ours over TLS, which may listen a moment after the plain port
      const deadline = Date.now() + 30_000;
      const listening = async () => (await portAccepts('127.0.0.1', options.port)) && (await portAccepts('127.0.0.1', options.tlsPort));
      while (!(await listening()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));

      const again = await ensureLocalServer(options);
      expect(again.reused).toBe(true);
      expect(again.pid).toBe(byHand.pid);
      expect(readRecord(dataDir)?.pid).toBe(byHand.pid);
    } finally {
      expect(await stopLocalServer(dataDir)).toBe(true);
      byHand?.kill('SIGKILL');
    }
    // it is gone: its pid file too, so nothing names a dead process
    expect(existsSync(join(dataDir, 'server.pid'))).toBe(false);
  });

  it('moved to other ports, is reused wherever it runs when no port is asked for (the desktop app), and refused, naming where it runs, when other ports are', { timeout: 90_000 }, async () => {
    const dataDir = join(root, 'moved');
    const moved = { serverBin: SERVER_BIN, dataDir, port: await freePort(), tlsPort: await freePort(), httpPort: await freePort() };
    const first = await ensureLocalServer(moved);
    try {
      expect(first).toMatchObject({ address: `127.0.0.1:${moved.port}`, reused: false, httpPort: moved.httpPort });
      // its HTTP port is recorded, so a later shell names the console where it is
      expect(readRecord(dataDir)).toMatchObject({ port: moved.port, tlsPort: moved.tlsPort, httpPort: moved.httpPort, pid: first.pid });

      // no port asked (the desktop app, a plain `npm run web`): that server, not a second one on the defaults
      const plain = await ensureLocalServer({ serverBin: SERVER_BIN, dataDir, startTimeoutMs: 5_000 });
      expect(plain).toEqual({ ...first, reused: true });

      // the same ports asked, some of them: still that server
      expect(await ensureLocalServer({ serverBin: SERVER_BIN, dataDir, port: moved.port })).toEqual({ ...first, reused: true });

      // other ports asked: refused with where it runs and its pid; nothing else started
      const other = { serverBin: SERVER_BIN, dataDir, port: await freePort(), tlsPort: await freePort(), httpPort: await freePort(), startTimeoutMs: 5_000 };
      const error = await ensureLocalServer(other).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(LocalServerElsewhereError);
      expect((error as LocalServerElsewhereError).code).toBe(ErrorCode.LOCAL_SERVER_ELSEWHERE);
      expect((error as LocalServerElsewhereError).running).toEqual({ host: '127.0.0.1', port: moved.port, tlsPort: moved.tlsPort, httpPort: moved.httpPort, pid: first.pid });
      expect(await portAccepts('127.0.0.1', other.port)).toBe(false);
      const onlyHttp = await ensureLocalServer({ serverBin: SERVER_BIN, dataDir, httpPort: other.httpPort }).catch((e: unknown) => e);
      expect((onlyHttp as MagpieError).code).toBe(ErrorCode.LOCAL_SERVER_ELSEWHERE);
      expect(readRecord(dataDir)).toMatchObject({ port: moved.port, httpPort: moved.httpPort, pid: first.pid });
    } finally {
      expect(await stopLocalServer(dataDir)).toBe(true);
    }
  });

  it('moved and then stopped (kill PID), starts again on the ports it was moved to when no port is asked for, not on the defaults', { timeout: 90_000 }, async () => {
    const dataDir = join(root, 'moved-stopped');
    const moved = { serverBin: SERVER_BIN, dataDir, port: await freePort(), tlsPort: await freePort(), httpPort: await freePort() };
    const first = await ensureLocalServer(moved);
    expect(await stopLocalServer(dataDir)).toBe(true);
    expect(isAlive(first.pid!)).toBe(false);
    try {
      // a plain `npm start` / `npm run web` afterwards: the clients remember the moved address
      const again = await ensureLocalServer({ serverBin: SERVER_BIN, dataDir });
      expect(again).toMatchObject({ address: `127.0.0.1:${moved.port}`, reused: false, httpPort: moved.httpPort });
      expect(again.pid).not.toBe(first.pid);
      expect(await portAccepts('127.0.0.1', moved.tlsPort)).toBe(true);
      expect(await portAccepts('127.0.0.1', moved.httpPort)).toBe(true);
      expect(readRecord(dataDir)).toMatchObject({ port: moved.port, tlsPort: moved.tlsPort, httpPort: moved.httpPort, pid: again.pid });
      expect(again.demo?.servers).toEqual([`127.0.0.1:${moved.port}`]);
    } finally {
      expect(await stopLocalServer(dataDir)).toBe(true);
    }
    // one port asked: that one moves again, the others stay where they were
    const httpPort = await freePort();
    const third = await ensureLocalServer({ serverBin: SERVER_BIN, dataDir, httpPort });
    try {
      expect(third).toMatchObject({ address: `127.0.0.1:${moved.port}`, reused: false, httpPort });
      expect(readRecord(dataDir)).toMatchObject({ port: moved.port, tlsPort: moved.tlsPort, httpPort });
    } finally {
      expect(await stopLocalServer(dataDir)).toBe(true);
    }
  });

  it('does not take a stranger on its ports for itself', { timeout: 30_000 }, async () => {
    const port = await freePort();
    const tlsPort = await freePort();
    const options = { serverBin: SERVER_BIN, dataDir: join(root, 'stranger-check'), port, tlsPort, startTimeoutMs: 5_000 };

    // something plain on the client port
    const plain = createNetServer((socket) => socket.end());
    await listen(plain, port);
    try {
      const error = await ensureLocalServer(options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MagpieError);
      expect((error as MagpieError).code).toBe(ErrorCode.LOCAL_SERVER_UNVERIFIED);

      // and a TLS server with another key on the TLS port: the handshake shows it is not ours
      const other = createSelfSignedCert({ commonName: 'Magpie local server', ips: ['127.0.0.1'], dnsNames: ['localhost'] });
      const tls = createTlsServer({ cert: other.certPem, key: other.keyPem }, (socket) => socket.end());
      await listen(tls, tlsPort);
      try {
        const again = await ensureLocalServer(options).catch((e: unknown) => e);
        expect((again as MagpieError).code).toBe(ErrorCode.LOCAL_SERVER_UNVERIFIED);
        expect(await stopLocalServer(options.dataDir)).toBe(false);
      } finally {
        await new Promise((resolve) => tls.close(resolve));
      }
    } finally {
      await new Promise((resolve) => plain.close(resolve));
    }
  });
});
