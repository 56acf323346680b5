import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyFrame, emptyFrame, ErrorCode, MagpieError, PROTOCOL_MAJOR } from '../../../protocol';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';

describe('gateway protocol rules', () => {
  let world: TestServer;
  let bystander: TestClient;
  const clients: TestClient[] = [];

  async function raw(): Promise<TestClient> {
    const client = await TestClient.connect(world.port);
    clients.push(client);
    return client;
  }

  async function lastError(client: TestClient): Promise<{ code: number; message: string }> {
    await client.waitClosed();
    const error = client.pushes.find((frame) => frame.name === 'ERROR');
    if (!error || error.name !== 'ERROR') throw new Error(`no ERROR before close: ${client.pushes.map((f) => f.name).join()}`);
    return error.body;
  }

  beforeAll(async () => {
    world = await startTestServer({ tuning: { maxFrameBytes: 4096 } });
    bystander = await raw();
    await bystander.hello();
    await bystander.loginWithAppToken(world.appId, world.appToken, 'bystander');
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await world.stop();
  });

  it('answers HELLO with HELLO_ACK announcing the limits', async () => {
    const client = await raw();
    const ack = await client.hello();
    expect(ack.major).toBe(PROTOCOL_MAJOR);
    expect(ack.maxFrameBytes).toBe(4096);
    expect(ack.loginTimeoutMs).toBeGreaterThan(0);
    expect(ack.server).toMatch(/^magpie-server/);
  });

  it('refuses an unknown major version with UNSUPPORTED_VERSION and closes', async () => {
    const client = await raw();
    client.sendFrame(bodyFrame('HELLO', { major: PROTOCOL_MAJOR + 1, minor: 0 }));
    const error = await lastError(client);
    expect(error.code).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(error.message).toMatch(new RegExp(`speaks ${PROTOCOL_MAJOR}\\.`));
  });

  it('closes a connection whose first frame is not HELLO with HELLO_REQUIRED', async () => {
    const client = await raw();
    client.sendFrame(emptyFrame('PING'));
    expect((await lastError(client)).code).toBe(ErrorCode.HELLO_REQUIRED);
  });

  it('answers PING with PONG, before and after login', async () => {
    const client = await raw();
    await client.hello();
    await client.ping();
    await client.loginWithAppToken(world.appId, world.appToken, 'pinger');
    await client.ping();
  });

  it('refuses a second HELLO with UNEXPECTED_FRAME and keeps the socket', async () => {
    const client = await raw();
    await client.hello();
    await expect(client.hello()).rejects.toMatchObject({ code: ErrorCode.UNEXPECTED_FRAME });
    await client.ping();
  });

  it('answers a frame only the server sends with UNEXPECTED_FRAME and keeps the socket', async () => {
    const client = await raw();
    await client.hello();
    await client.loginWithAppToken(world.appId, world.appToken, 'confused');
    const error = await client.request('SYNC_PAGE', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MagpieError);
    expect((error as MagpieError).code).toBe(ErrorCode.UNEXPECTED_FRAME);
    await client.ping();
  });

  describe('a bad frame closes that socket only', () => {
    it.each([
      ['garbage bytes', Uint8Array.from([0x05, 0x03, 0xff, 0x00, 0x00, 0x00]), ErrorCode.RESERVED_FLAG],
      ['a reserved flag', Uint8Array.from([0x02, 0x01, 0x80]), ErrorCode.RESERVED_FLAG],
      ['an unknown frame type', Uint8Array.from([0x02, 0x7f, 0x00]), ErrorCode.UNKNOWN_FRAME_TYPE],
      ['an oversized frame', Uint8Array.from([0x80, 0x80, 0x04, 0x03, 0x00]), ErrorCode.FRAME_TOO_LARGE],
      ['a length prefix over 4 bytes', Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0x01]), ErrorCode.FRAME_TOO_LARGE],
      ['a frame shorter than its header', Uint8Array.from([0x01, 0x03]), ErrorCode.MALFORMED_FRAME],
      ['a body that does not decode', Uint8Array.from([0x04, 0x03, 0x00, 0x0a, 0xff]), ErrorCode.BAD_BODY],
      ['a PING with a body', Uint8Array.from([0x03, 0x01, 0x00, 0x00]), ErrorCode.BAD_BODY],
      ['a compressed body that does not inflate', Uint8Array.from([0x04, 0x03, 0x01, 0xff, 0xff]), ErrorCode.DECOMPRESSION_FAILED],
    ])('%s', async (_what, bytes, code) => {
      const client = await raw();
      await client.hello();
      client.sendBytes(bytes);
      expect((await lastError(client)).code).toBe(code);
      // the others keep working
      await bystander.ping();
      expect(bystander.isClosed).toBe(false);
    });

    it('before HELLO too', async () => {
      const client = await raw();
      client.sendBytes(Uint8Array.from([0x02, 0x01, 0x40]));
      expect((await lastError(client)).code).toBe(ErrorCode.RESERVED_FLAG);
      await bystander.ping();
    });

    it('from a logged-in session, which leaves the registry', async () => {
      const client = await raw();
      await client.hello();
      await client.loginWithAppToken(world.appId, world.appToken, 'breaker');
      const before = world.server.stats().sessions;
      client.sendBytes(Uint8Array.from([0x02, 0x7e, 0x00]));
      expect((await lastError(client)).code).toBe(ErrorCode.UNKNOWN_FRAME_TYPE);
      expect(world.server.stats().sessions).toBe(before - 1);
      await bystander.ping();
    });
  });

  it('answers a handler error with its code and keeps the socket', async () => {
    const client = await raw();
    await client.hello();
    await client.loginWithAppToken(world.appId, world.appToken, 'profiler');
    const tooMany = Array.from({ length: 101 }, (_, i) => `u${i}`);
    await expect(client.request('PROFILE_QUERY', { userIds: tooMany })).rejects.toMatchObject({ code: ErrorCode.BAD_BODY });
    await client.ping();
  });
});
