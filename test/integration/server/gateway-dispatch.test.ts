import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bodyFrame, ErrorCode, MagpieError, systemClock } from '../../../protocol';
import { createAuthenticator } from '../../../server/auth/authenticator';
import { createAccountLoginLimiter } from '../../../server/auth/account-login-limiter';
import { createLoginLimiter } from '../../../server/auth/login-limiter';
import { createGateway, type Gateway } from '../../../server/gateway/gateway';
import { createSessionRegistry, type SessionRegistry } from '../../../server/gateway/sessions';
import type { HandlerTable } from '../../../server/handler-types';
import { createIdentity } from '../../../server/identity/identity';
import { loadOrCreateServerKey } from '../../../server/identity/server-key';
import { createUserStore } from '../../../server/identity/users';
import { createSilentLogger } from '../../../server/logger';
import { dropTestSchema, openTestStore } from '../../support/test-database';
import { runMigrations } from '../../../server/storage/migrate';
import { migrations } from '../../../server/storage/migrations';
import { resolveTuning } from '../../../server/tuning';
import { TestClient } from '../../support/test-client';

interface TestGateway {
  readonly port: number;
  readonly app: { appId: string; appToken: string };
  readonly sessions: SessionRegistry;
  readonly gateway: Gateway;
  stop(): Promise<void>;
}

/** A real gateway over a real database, with the handler table the test gives. */
async function startGateway(handlers: HandlerTable): Promise<TestGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'magpie-dispatch-'));
  const db = openTestStore(dir);
  runMigrations(db, migrations);
  const users = createUserStore({ db, clock: systemClock });
  const identity = createIdentity({ db, clock: systemClock, serverKey: loadOrCreateServerKey(dir), users, scryptCost: 1024 });
  const app = identity.createApp(identity.createAccount().accountSid, 'dispatch');
  const tuning = resolveTuning();
  const sessions = createSessionRegistry();
  const gateway = createGateway({
    host: '127.0.0.1',
    port: 0,
    tls: undefined,
    clock: systemClock,
    log: createSilentLogger(),
    tuning,
    authenticator: createAuthenticator({
      identity,
      users,
      clock: systemClock,
      addressLimiter: createLoginLimiter({ clock: systemClock, maxFailures: 50, windowMs: 600_000 }),
      limiter: createLoginLimiter({ clock: systemClock, maxFailures: 5, windowMs: 60_000 }),
      accountLimiter: createAccountLoginLimiter({ clock: systemClock, maxFailures: 100, windowMs: 900_000 }),
      signatureWindowMs: tuning.signatureWindowMs,
      md5TimestampUtcOffsetMinutes: 480,
      scryptCost: tuning.scryptCost,
      fakeSaltKey: Buffer.alloc(32, 7),
    }),
    sessions,
    handlers,
    inboxHead: () => ({ maxSeq: 42, confirmedSeq: 40 }),
  });
  const { port } = await gateway.listen();
  return {
    port,
    app,
    sessions,
    gateway,
    async stop() {
      await gateway.stop();
      db.close();
      dropTestSchema(dir);
      await rm(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

async function loggedIn(at: TestGateway, userId: string): Promise<TestClient> {
  const client = await TestClient.connect(at.port);
  await client.hello();
  await client.loginWithAppToken(at.app.appId, at.app.appToken, userId);
  return client;
}

/** How any service's answers and failures reach the client. */
describe('gateway dispatch', () => {
  let at: TestGateway;
  const typed: string[] = [];

  const handlers: HandlerTable = {
    PROFILE_QUERY: ({ caller, body }) => {
      if (body.userIds[0] === 'boom') throw new Error('a bug');
      if (body.userIds[0] === 'denied') throw new MagpieError(ErrorCode.NOT_ALLOWED, 'not for you');
      return bodyFrame('PROFILES', { profiles: [{ userId: caller.userId }] });
    },
    PROFILE_UPDATE: async () => {
      await new Promise((resolve) => setTimeout(resolve, 20));
      return bodyFrame('PROFILES', { profiles: [{ userId: 'slow' }] });
    },
    TYPING: ({ caller, body }) => {
      typed.push(`${caller.userId}->${body.to}`);
      return bodyFrame('OK', {});
    },
  };

  beforeAll(async () => {
    at = await startGateway(handlers);
  });
  afterAll(async () => {
    await at.stop();
  });

  it('puts the inbox head in LOGIN_RESULT', async () => {
    const client = await TestClient.connect(at.port);
    await client.hello();
    const result = await client.loginWithAppToken(at.app.appId, at.app.appToken, 'header');
    expect(result.maxSeq).toBe(42n);
    expect(result.confirmedSeq).toBe(40n);
    await client.close();
  });

  it('answers with the frame a handler returns, under the request id', async () => {
    const client = await loggedIn(at, 'asker');
    const reply = await client.ask('PROFILE_QUERY', { userIds: ['x'] }, 'PROFILES');
    expect(reply.profiles[0]?.userId).toBe('asker');
    await client.close();
  });

  it('answers a MagpieError with ERROR and its code, and keeps the socket', async () => {
    const client = await loggedIn(at, 'denied');
    await expect(client.request('PROFILE_QUERY', { userIds: ['denied'] })).rejects.toMatchObject({ code: ErrorCode.NOT_ALLOWED });
    await client.ping();
    await client.close();
  });

  it('answers any other error with INTERNAL and keeps the socket', async () => {
    const client = await loggedIn(at, 'buggy');
    await expect(client.request('PROFILE_QUERY', { userIds: ['boom'] })).rejects.toMatchObject({ code: ErrorCode.INTERNAL });
    await client.ping();
    await client.close();
  });

  it("handles a connection's requests in the order sent, even when one is slow", async () => {
    const client = await loggedIn(at, 'orderly');
    const order: string[] = [];
    await Promise.all([
      client.request('PROFILE_UPDATE', {}).then(() => order.push('slow')),
      client.request('PROFILE_QUERY', { userIds: ['x'] }).then(() => order.push('fast')),
    ]);
    expect(order).toEqual(['slow', 'fast']);
    await client.close();
  });

  it('answers a PING behind a slow request only after it, and an idle PING at once', async () => {
    const client = await loggedIn(at, 'pinger');
    const order: string[] = [];
    await Promise.all([
      client.request('PROFILE_UPDATE', {}).then(() => order.push('slow')),
      client.ping().then(() => order.push('pong')),
    ]);
    expect(order).toEqual(['slow', 'pong']);
    for (let i = 0; i < 5; i++) await client.ping();
    await client.close();
  });

  it('sends no answer to a frame without a request id', async () => {
    const client = await loggedIn(at, 'typist');
    client.sendFrame(bodyFrame('TYPING', { to: 'someone' }));
    await client.ping();
    expect(typed).toContain('typist->someone');
    expect(client.pushes).toEqual([]);
    await client.close();
  });

  it('delivers to every online session of a user but the one named', async () => {
    const a = await loggedIn(at, 'multi');
    const b = await loggedIn(at, 'multi');
    const sessionOfA = at.sessions.sessionsOf(at.app.appId, 'multi')[0]!.caller.sessionId;
    expect(at.sessions.isOnline(at.app.appId, 'multi')).toBe(true);
    const sent = at.sessions.toUser(at.app.appId, 'multi', bodyFrame('NOTIFY', { maxSeq: 7n }), sessionOfA);
    expect(sent).toBe(1);
    expect((await b.waitForPush('NOTIFY')).maxSeq).toBe(7n);
    await a.ping();
    expect(a.pushes).toEqual([]);
    await Promise.all([a.close(), b.close()]);
  });
});

describe('pipelined SENDs', () => {
  it('takes a SEND without waiting for the one before, answers in order, and holds other requests until they are answered', async () => {
    const gates: (() => void)[] = [];
    const events: string[] = [];
    const at = await startGateway({
      SEND: async ({ body }) => {
        events.push(`start ${body.text}`);
        await new Promise<void>((resolve) => gates.push(resolve));
        events.push(`end ${body.text}`);
        return bodyFrame('SENT', { seq: BigInt(body.text.length) });
      },
      PROFILE_QUERY: () => {
        events.push('query');
        return bodyFrame('PROFILES', {});
      },
    });
    const client = await loggedIn(at, 'piper');
    const first = client.request('SEND', { to: 'x', text: 'a' });
    const second = client.request('SEND', { to: 'x', text: 'bb' });
    await waitUntil(() => gates.length === 2, () => JSON.stringify(events));
    // a request that arrives while both wait for their commit is read, and held behind them
    const query = client.request('PROFILE_QUERY', {});
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events).toEqual(['start a', 'start bb']);
    gates.splice(0).forEach((open) => open());
    await Promise.all([first, second, query]);
    expect(events).toEqual(['start a', 'start bb', 'end a', 'end bb', 'query']);
    // a SEND read in a later chunk, while one is still waiting, is taken at once too
    const third = client.request('SEND', { to: 'x', text: 'ccc' });
    await waitUntil(() => gates.length === 1);
    const fourth = client.request('SEND', { to: 'x', text: 'dddd' });
    await waitUntil(() => gates.length === 2);
    gates.splice(0).forEach((open) => open());
    expect((await third).name).toBe('SENT');
    expect((await fourth).name).toBe('SENT');
    await client.close();
    await at.stop();
  });
});

describe('a connection closed while its SENDs commit', () => {
  it('lets the requests queued behind them take no effect', async () => {
    const gates: (() => void)[] = [];
    const events: string[] = [];
    const at = await startGateway({
      SEND: async () => {
        await new Promise<void>((resolve) => gates.push(resolve));
        events.push('sent');
        return bodyFrame('SENT', {});
      },
      PROFILE_UPDATE: () => {
        events.push('profile changed');
        return bodyFrame('PROFILES', {});
      },
    });
    const client = await loggedIn(at, 'leaver');
    void client.request('SEND', { to: 'x', text: 'a' }).catch(() => undefined);
    void client.request('PROFILE_UPDATE', {}).catch(() => undefined);
    await waitUntil(() => gates.length === 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    client.socket.destroy();
    await waitUntil(() => at.gateway.connectionCount === 0);
    gates.splice(0).forEach((open) => open());
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(events).toEqual(['sent']);
    await at.stop();
  });
});

async function waitUntil(condition: () => boolean, what: () => string = () => ""): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(condition(), what()).toBe(true);
}

describe('gateway stop', () => {
  it('finishes the requests in flight, then tells every client and closes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const at = await startGateway({
      PROFILE_UPDATE: async () => {
        await gate;
        return bodyFrame('PROFILES', { profiles: [{ userId: 'finished' }] });
      },
    });
    const busy = await loggedIn(at, 'busy1');
    const idle = await loggedIn(at, 'idle1');
    const inFlight = busy.ask('PROFILE_UPDATE', {}, 'PROFILES');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopped = at.stop();
    setTimeout(release, 100);
    expect((await inFlight).profiles[0]?.userId).toBe('finished');
    await stopped;
    for (const client of [busy, idle]) {
      await client.waitClosed();
      const last = client.pushes.at(-1);
      expect(last?.name === 'ERROR' && last.body.code).toBe(ErrorCode.SERVER_SHUTTING_DOWN);
    }
    expect(at.gateway.connectionCount).toBe(0);
  });
});
