import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginRequest } from '../../../main/client/login-request';
import { MagpieClient } from '../../../main/client/magpie-client';
import { pb, systemClock, type Clock } from '../../../protocol';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture } from './client-fixture';

/** The server's clock runs 7 minutes ahead of this computer's: as a client whose clock is 7 minutes slow sees it. */
const SERVER_AHEAD_MS = 7 * 60_000;
/** A login's round trip on loopback, under a loaded machine, is well within this. */
const WITHIN_MS = 2_000;

describe("the client reckons the server's clock at login, whatever its own says", () => {
  let server: TestServer;
  let root: string;
  const fixture = createClientFixture();
  const serverClock: Clock = { ...systemClock, now: () => Date.now() + SERVER_AHEAD_MS };

  beforeAll(async () => {
    server = await startTestServer({ clock: serverClock });
    root = await mkdtemp(join(tmpdir(), 'magpie-server-clock-'));
  });
  afterAll(async () => {
    await fixture.cleanup();
    await server.stop();
    await rm(root, { recursive: true, force: true, maxRetries: 5 });
  });

  it("the client core's server clock reads the server's time after an app-token and a password login", async () => {
    const bob = server.createUser('bob');
    const logins = [
      loginRequest(server.appId, { type: 'appToken', user: 'alice', token: server.appToken }, { deviceId: 'clock-test' }),
      loginRequest(server.appId, { type: 'password', user: bob.voipAccount, password: bob.voipPwd }, { deviceId: 'clock-test' }),
    ];
    for (const login of logins) {
      const client = new MagpieClient({ profileDir: join(root, String(login.user)), servers: [`127.0.0.1:${server.port}`], login: { ...login, appId: server.appId, user: String(login.user) }, log: pino({ level: 'silent' }) });
      try {
        expect(client.serverClock.reading()).toBeUndefined();
        await client.start();
        expect(Math.abs(client.serverClock.now() - serverClock.now())).toBeLessThan(WITHIN_MS);
        expect(Math.abs(client.serverClock.offsetMs - SERVER_AHEAD_MS)).toBeLessThan(WITHIN_MS);
      } finally {
        client.close();
      }
    }
  });

  it("the desktop core tells the page the server's time: the connection and its online event carry it", async () => {
    const alice = await fixture.core(server, 'alice-desk');
    const answer = await alice.call('session.connection', {});
    if (!answer.ok) throw new Error(answer.error.message);
    expect(Math.abs((answer.value.serverTimeMs ?? 0) - serverClock.now())).toBeLessThan(WITHIN_MS);
    const online = alice.events.filter((e) => e.event === 'connection.state').map((e) => e.payload as { state: string; serverTimeMs?: number });
    const told = online.filter((info) => info.state === 'online').at(-1)?.serverTimeMs ?? 0;
    expect(Math.abs(told - serverClock.now())).toBeLessThan(WITHIN_MS);
  });

  it("a message being sent stands at the server's time, not this computer's: below the messages that came before it", async () => {
    const carol = await fixture.core(server, 'carol-desk');
    const dave = await fixture.client(server, 'dave');
    await dave.start();
    const receipt = await dave.request('SEND', { to: 'carol-desk', clientMsgId: new Uint8Array(16).fill(7), type: pb.MessageType.TEXT, text: 'just now, by the server' });
    const receivedMs = Number(receipt.body.timeMs);
    const text = await carol.call('message.send', { conversation: 'dave', content: { kind: 'text', text: 'my answer' } });
    if (!text.ok) throw new Error(text.error.message);
    // the view the page shows while it is sent: a local clock 7 minutes slow put it 7 minutes before dave's
    expect(text.value.timeMs).toBeGreaterThanOrEqual(receivedMs);
    expect(Math.abs(text.value.timeMs - serverClock.now())).toBeLessThan(WITHIN_MS);
    const file = await carol.call('media.send', { conversation: 'dave', kind: 'file', name: 'notes.txt', bytes: Buffer.from('notes').toString('base64') });
    if (!file.ok) throw new Error(file.error.message);
    expect(Math.abs(file.value.timeMs - serverClock.now())).toBeLessThan(WITHIN_MS);
  });
});
