import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import pino, { type Logger } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { bodyFrame, encodeFrame, ErrorCode, PROTOCOL_MAJOR } from '../../../protocol';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';
import type { Tuning } from '../../../server/tuning';

describe('gateway limits', () => {
  let world: TestServer | undefined;
  const clients: TestClient[] = [];

  async function client(localAddress?: string): Promise<TestClient> {
    const c = await TestClient.connect(world!.port, localAddress ? { localAddress } : {});
    clients.push(c);
    return c;
  }

  function errorBefore(c: TestClient): number | undefined {
    const error = c.pushes.find((frame) => frame.name === 'ERROR');
    return error?.name === 'ERROR' ? error.body.code : undefined;
  }

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await world?.stop();
    world = undefined;
  });

  it('answers a browser that opened the client port in plain HTTP, naming the HTTP port, and stays up for clients', async () => {
    world = await startTestServer();
    const response = await fetch(`http://127.0.0.1:${world.port}/console`);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const text = await response.text();
    expect(text).toContain("This is the Magpie server's client port: it speaks Magpie's binary protocol, not HTTP.");
    expect(text).toContain(`are on port ${world.httpPort}.`);
    // a Magpie client beside it is served as before
    const c = await client();
    await c.hello();
    expect(errorBefore(c)).toBeUndefined();
  });

  it('closes a socket that does not log in within the login timeout', async () => {
    world = await startTestServer({ tuning: { loginTimeoutMs: 200 } });
    const started = Date.now();
    const silent = await client();
    const greeted = await client();
    await greeted.hello();
    await silent.waitClosed(3_000);
    await greeted.waitClosed(3_000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(errorBefore(silent)).toBe(ErrorCode.LOGIN_TIMEOUT);
    expect(errorBefore(greeted)).toBe(ErrorCode.LOGIN_TIMEOUT);
  });

  it('refuses more connections without a login from one address than the limit, and only from that address', async () => {
    world = await startTestServer({ tuning: { maxPendingConnectionsPerAddress: 3 } });
    const waiting = [await client('127.0.0.1'), await client('127.0.0.1'), await client('127.0.0.1')];
    const refused = await client('127.0.0.1');
    await refused.waitClosed(3_000);
    expect(errorBefore(refused)).toBe(ErrorCode.TOO_MANY_PENDING_CONNECTIONS);
    // another host is not held back by this one
    const elsewhere = await client('127.0.0.2');
    await elsewhere.hello();
    await elsewhere.loginWithAppToken(world.appId, world.appToken, 'elsewhere');
    // a login frees its place, and so does a close
    await waiting[0]!.hello();
    await waiting[0]!.loginWithAppToken(world.appId, world.appToken, 'arrived');
    await waiting[1]!.close();
    // the refused sockets are gone too: two logged in, and waiting[2] still waiting
    for (let i = 0; i < 100 && world.server.stats().connections > 3; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(world.server.stats().connections).toBe(3);
    const late = [await client('127.0.0.1'), await client('127.0.0.1')];
    for (const c of late) await c.hello();
    await waiting[0]!.ping();
    const third = await client('127.0.0.1');
    await third.waitClosed(3_000);
    expect(errorBefore(third)).toBe(ErrorCode.TOO_MANY_PENDING_CONNECTIONS);
  });

  it('does not wait on stop for a refused peer that never closes its side', async () => {
    world = await startTestServer({ tuning: { maxPendingConnectionsPerAddress: 1 } });
    const waiting = await client('127.0.0.1');
    // a peer that keeps its half of the connection open after the server has said why it closes
    const stubborn = connect({ host: '127.0.0.1', port: world.port, allowHalfOpen: true });
    stubborn.on('error', () => undefined);
    stubborn.on('data', () => undefined);
    await new Promise<void>((resolve) => stubborn.once('end', () => resolve()));
    const started = Date.now();
    await world.stop();
    world = undefined;
    expect(Date.now() - started).toBeLessThan(1_500);
    stubborn.destroy();
    await waiting.waitClosed();
  });

  it('holds only the bytes a frame brought, not the length its prefix announced', async () => {
    world = await startTestServer();
    // a length prefix announcing a frame just under the limit, and its type byte: 4 bytes each
    const prefix = Buffer.from([0xfc, 0xff, 0x0f, 0x03]);
    const sockets = 100;
    const before = process.memoryUsage().arrayBuffers;
    const held = await Promise.all(
      Array.from({ length: sockets }, () => client().then((c) => {
        c.socket.write(prefix);
        return c;
      })),
    );
    // loopback: each server connection has read its 4 bytes by then
    await new Promise((resolve) => setTimeout(resolve, 300));
    const grownMiB = (process.memoryUsage().arrayBuffers - before) / 2 ** 20;
    // room for 256 KiB per socket would be 25 MiB
    expect(grownMiB).toBeLessThan(4);
    const fine = await client('127.0.0.2');
    await fine.hello();
    await fine.loginWithAppToken(world.appId, world.appToken, 'unbothered');
    expect(held.every((c) => !c.isClosed)).toBe(true);
  });

  it('keeps a logged-in socket past the login timeout', async () => {
    world = await startTestServer({ tuning: { loginTimeoutMs: 200 } });
    const c = await client();
    await c.hello();
    await c.loginWithAppToken(world.appId, world.appToken, 'settled');
    await new Promise((resolve) => setTimeout(resolve, 400));
    await c.ping();
  });

  it('announces the idle timeout and closes a silent session after it, while a pinging one stays', async () => {
    world = await startTestServer({ tuning: { idleTimeoutMs: 1_000 } });
    const quiet = await client();
    const chatty = await client();
    for (const c of [quiet, chatty]) await c.hello();
    const result = await quiet.loginWithAppToken(world.appId, world.appToken, 'quiet');
    await chatty.loginWithAppToken(world.appId, world.appToken, 'chatty');
    expect(result.idleTimeoutMs).toBe(1_000);
    const pinging = setInterval(() => void chatty.ping().catch(() => undefined), 100);
    try {
      await quiet.waitClosed(5_000);
      expect(errorBefore(quiet)).toBe(ErrorCode.IDLE_TIMEOUT);
      expect(chatty.isClosed).toBe(false);
      await chatty.ping();
    } finally {
      clearInterval(pinging);
    }
  });

  it('delays requests above the rate instead of refusing them, and answers all in order', async () => {
    world = await startTestServer({ tuning: { requestsPerSecond: 20, requestBurst: 5 } });
    const c = await client();
    await c.hello();
    await c.loginWithAppToken(world.appId, world.appToken, 'flooder');
    const started = Date.now();
    const order: number[] = [];
    // 25 requests at once: 5 pass at once, the other 20 at 20 per second
    await Promise.all(Array.from({ length: 25 }, (_, i) => c.ping().then(() => order.push(i))));
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(order).toEqual(Array.from({ length: 25 }, (_, i) => i));
    expect(c.isClosed).toBe(false);
  });

  describe('many large answers asked for at once', () => {
    const bounds = { writeHighWaterBytes: 64 * 1024, maxWriteBufferBytes: 512 * 1024, requestsPerSecond: 100_000, requestBurst: 100_000 };
    const asks = 60;

    /** A user whose every SYNC from 0 is answered by a page of about 150 KiB, even deflated. */
    async function readerOfFullPages(tuning: Partial<Tuning>, logger?: Logger): Promise<TestClient> {
      world = await startTestServer({ tuning, ...(logger ? { logger } : {}) });
      const sender = await client();
      await sender.hello();
      await sender.loginWithAppToken(world.appId, world.appToken, 'pagesender');
      for (let i = 0; i < 45; i++) {
        await sender.ask('SEND', { clientMsgId: randomBytes(16), to: 'pagereader', text: randomBytes(3_700).toString('base64') }, 'SENT');
      }
      const reader = await client();
      await reader.hello();
      await reader.loginWithAppToken(world.appId, world.appToken, 'pagereader');
      return reader;
    }

    it('are all answered to a client that reads them late, the write bounds kept meanwhile', async () => {
      const reader = await readerOfFullPages({ ...bounds, writeStallTimeoutMs: 10_000 });
      reader.socket.pause();
      const answers = Promise.all(Array.from({ length: asks }, () => reader.ask('SYNC', { afterSeq: 0n, limit: 200 }, 'SYNC_PAGE')));
      await new Promise((resolve) => setTimeout(resolve, 500));
      // about 9 MB of answers: made only as fast as the client reads, never all at once
      expect(reader.isClosed).toBe(false);
      reader.socket.resume();
      const pages = await answers;
      expect(pages[0]!.entries.length).toBeGreaterThan(30);
      expect(pages.every((page) => page.entries.length === pages[0]!.entries.length)).toBe(true);
      await reader.ping();
    });

    it('are not all made for a client that never reads: it is dropped, its buffer never far past the bound', async () => {
      const dropped: string[] = [];
      const capture = {
        write(line: string) {
          const { reason } = JSON.parse(line) as { reason?: string };
          if (reason) dropped.push(reason);
        },
      };
      const reader = await readerOfFullPages({ ...bounds, writeStallTimeoutMs: 300 }, pino({ level: 'warn' }, capture));
      reader.socket.pause();
      for (let i = 0; i < asks; i++) void reader.ask('SYNC', { afterSeq: 0n, limit: 200 }, 'SYNC_PAGE').catch(() => undefined);
      const deadline = Date.now() + 5_000;
      while (world!.server.stats().connections > 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(world!.server.stats().connections).toBe(1);
      expect(dropped).toHaveLength(1);
      // the answers of one turn were one write, whatever its size (some 14.6 MB for 100 of them)
      const held = /write buffer of (\d+) bytes/.exec(dropped[0]!);
      if (held) expect(Number(held[1])).toBeLessThan(bounds.maxWriteBufferBytes + bounds.writeHighWaterBytes + 256 * 1024);
      else expect(dropped[0]).toContain(`write buffer stayed above ${bounds.writeHighWaterBytes} bytes for 300 ms`);
    });
  });

  it('drops a client that does not read instead of buffering for it without bound', async () => {
    world = await startTestServer({
      tuning: {
        requestsPerSecond: 100_000,
        requestBurst: 100_000,
        writeHighWaterBytes: 64 * 1024,
        maxWriteBufferBytes: 256 * 1024,
        writeStallTimeoutMs: 300,
      },
    });
    // users with long avatars make every PROFILES answer about 50 KB; random, so deflate (which
    // every answer above the threshold gets) leaves it large
    const setup = await client();
    await setup.hello();
    await setup.loginWithAppToken(world.appId, world.appToken, 'setup');
    const ids = Array.from({ length: 100 }, (_, i) => `wide${i}`);
    for (const id of ids) world.server.users.updateProfile(world.appId, id, { avatar: randomBytes(375).toString('base64') });

    const socket = await new Promise<Socket>((resolve) => {
      const s = connect({ port: world!.port, host: '127.0.0.1' }, () => resolve(s));
    });
    socket.on('error', () => undefined);
    let received = 0;
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    socket.write(encodeFrame(bodyFrame('HELLO', { major: PROTOCOL_MAJOR }, { requestId: 1 })));
    socket.write(
      encodeFrame(bodyFrame('LOGIN', { auth: 1, appId: world.appId, user: 'sluggish', secret: world.appToken }, { requestId: 2 })),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    socket.pause();
    const query = encodeFrame(bodyFrame('PROFILE_QUERY', { userIds: ids }, { requestId: 3 }));
    const asks = 2_000; // answers worth about 100 MB if the server kept them all
    for (let i = 0; i < asks; i++) socket.write(query);

    const deadline = Date.now() + 10_000;
    while (world.server.stats().connections > 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(world.server.stats().connections).toBe(1); // only the setup client is left
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.resume();
    await closed;
    expect(received).toBeLessThan(asks * 40_000);
    // the others keep working
    await setup.ping();
  });
});
