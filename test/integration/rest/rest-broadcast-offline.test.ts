import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { startRestApp, type RestApp } from './rest-app-fixture';
import { waitFor } from './rest-fixture';

const USERS = 5_000;
const CHUNK = 10;

/**
 * A broadcast under way when its app is taken offline stops before its next chunk: the recipients
 * not reached are counted as failed and the job says APP_OFFLINE. It went on sending to every
 * remaining user, none of whom could log in to read it.
 */
describe('a broadcast whose app is taken offline mid-way', () => {
  let f: RestApp;
  beforeAll(async () => {
    f = await startRestApp({ tuning: { restMaxRefusals: 1_000_000, broadcastChunkUsers: CHUNK } });
    const { db, users } = f.server.server;
    db.transaction(() => {
      for (let i = 0; i < USERS; i++) users.ensureUser(f.server.appId, `u${String(i).padStart(5, '0')}`);
    })();
  });
  afterAll(() => f.stop());

  it('stops at the next chunk and reports the recipients not reached as failed with APP_OFFLINE', { timeout: 60_000 }, async () => {
    const { db } = f.server.server;
    const reached = () =>
      db
        .prepare<[string], number>(
          `SELECT COUNT(*) FROM inbox i JOIN messages m ON m.msg_id = i.msg_id WHERE i.app_id = ? AND i.own = 0 AND m.sender = 'system'`,
        )
        .pluck()
        .get(f.server.appId)!;
    const started = await f.call('POST', `${f.app}/broadcasts`, { message: { type: 'text', text: 'to everyone' } });
    expect(started.status, started.text).toBe(202);
    expect(started.json).toMatchObject({ state: 'running', total: USERS, error: null });
    const job = `${f.app}/broadcasts/${started.json.jobId as string}`;
    await waitFor(async () => (await f.call('GET', job)).json.done >= 5 * CHUNK, 20_000, 'the broadcast to be under way');

    expect((await f.call('POST', `${f.app}/offline`)).json.state).toBe('offline');
    let stopped = started.json;
    await waitFor(
      async () => {
        stopped = (await f.call('GET', job)).json;
        return stopped.state !== 'running';
      },
      20_000,
      'the broadcast to stop',
    );
    const got = reached();
    expect(got).toBeLessThan(USERS / 2);
    const unreached = USERS - got;
    expect(stopped).toMatchObject({
      state: 'failed',
      total: USERS,
      done: USERS,
      failed: unreached,
      error: {
        code: ErrorCode.APP_OFFLINE,
        message: `app ${f.server.appId} was taken offline: the broadcast stopped, and the ${unreached} recipients it had not reached are counted as failed`,
      },
    });
    expect(stopped.finishedMs).toEqual(expect.any(Number));
    // nothing more goes out, and online again the job stays stopped
    expect((await f.call('POST', `${f.app}/online`)).json.state).toBe('online');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(reached()).toBe(got);
    expect((await f.call('GET', job)).json).toEqual(stopped);
  });
});
