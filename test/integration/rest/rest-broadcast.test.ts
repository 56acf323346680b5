import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onPostgres, openServerDatabase } from '../../support/test-database';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';
import { restClient, waitFor, type RestCall } from './rest-fixture';

const USERS = 10_000;

describe('REST broadcast', () => {
  let server: TestServer;
  let call: RestCall;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    call = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
    const { db, users } = server.server;
    db.transaction(() => {
      for (let i = 0; i < USERS; i++) users.ensureUser(server.appId, `u${String(i).padStart(5, '0')}`);
    })();
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server.stop();
  });

  it(`reaches each of ${USERS} users exactly once, in their inbox with a seq, pushed to those online, without blocking the server`, { timeout: 120_000 }, async () => {
    const online = ['u00007', 'u04242', 'u09999'];
    for (const user of online) {
      const client = await TestClient.connect(server.port);
      await client.hello();
      await client.loginWithAppToken(server.appId, server.appToken, user);
      clients.push(client);
    }
    const started = await call('POST', `/v1/accounts/{sid}/apps/${server.appId}/broadcasts`, { message: { type: 'text', text: 'to everyone' } });
    expect(started.status).toBe(202);
    expect(started.json).toMatchObject({ state: 'running', total: USERS });
    const jobId = started.json.jobId as string;

    // the server answers other requests while the job runs
    const probe = await fetch(`http://127.0.0.1:${server.httpPort}/healthz`);
    expect(probe.status).toBe(200);
    await clients[0]!.ping();

    let job: { state: string; done: number; failed: number } = started.json;
    await waitFor(
      async () => {
        job = (await call('GET', `/v1/accounts/{sid}/apps/${server.appId}/broadcasts/${jobId}`)).json;
        return job.state !== 'running';
      },
      100_000,
      'the broadcast to finish',
    );
    expect(job).toMatchObject({ state: 'done', done: USERS, failed: 0 });

    for (const client of clients) {
      const push = await client.waitForPush('PUSH');
      expect(push.item.case === 'message' && push.item.value.text).toBe('to everyone');
      expect(push.seq).toBe(1n);
    }
    const rows = server.server.db
      .prepare(
        `SELECT COUNT(*) AS entries, COUNT(DISTINCT i.user_id) AS users, MIN(i.seq) AS min_seq, MAX(i.seq) AS max_seq
         FROM inbox i JOIN messages m ON m.msg_id = i.msg_id
         WHERE i.app_id = ? AND i.own = 0 AND m.sender = 'system'`,
      )
      .get(server.appId);
    expect(rows).toEqual({ entries: USERS, users: USERS, min_seq: 1, max_seq: 1 });
  });

  it.runIf(onPostgres())('stops a job whose claim another node took over (PostgreSQL), without writing its progress', { timeout: 60_000 }, async () => {
    const started = await call('POST', `/v1/accounts/{sid}/apps/${server.appId}/broadcasts`, { message: { type: 'text', text: 'taken over' } });
    expect(started.status).toBe(202);
    const jobId = started.json.jobId as string;
    const db = server.server.db;
    // another node's live claim (its value is the token), as after this node's claim ran out and
    // another node took the job: a claim still running, so that this node's own poll (every 15 s)
    // may not take it back within the wait below
    const otherClaim = Date.now() + 600_000;
    expect(db.prepare("UPDATE broadcast_jobs SET claimed_until_ms = ? WHERE job_id = ? AND state = 'running'").run(otherClaim, jobId).changes).toBe(1);
    const done = () => db.prepare<[string], { done: number; state: string; claimed_until_ms: number }>('SELECT done, state, claimed_until_ms FROM broadcast_jobs WHERE job_id = ?').get(jobId)!;
    const atTakeOver = done().done;
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(done()).toEqual({ done: atTakeOver, state: 'running', claimed_until_ms: otherClaim });
    expect(atTakeOver).toBeLessThan(USERS);
    // the other node never comes: the job is ended here so that the next tests see no running job
    db.prepare("UPDATE broadcast_jobs SET state = 'failed', claimed_until_ms = NULL WHERE job_id = ?").run(jobId);
  });

  it('to a list: each listed user once (duplicates and the sender left out), nobody else', async () => {
    const to = ['u00001', 'u00002', 'u00002', 'u00003', 'u00004'];
    const started = await call('POST', `/v1/accounts/{sid}/apps/${server.appId}/broadcasts`, { from: 'u00004', to, message: { type: 'text', text: 'to a few' } });
    expect(started.status, started.text).toBe(202);
    expect(started.json.total).toBe(3);
    await waitFor(
      async () => (await call('GET', `/v1/accounts/{sid}/apps/${server.appId}/broadcasts/${started.json.jobId}`)).json.state === 'done',
      20_000,
      'the list broadcast',
    );
    const got = server.server.db
      .prepare(
        `SELECT i.user_id AS user, COUNT(*) AS n FROM inbox i JOIN messages m ON m.msg_id = i.msg_id
         WHERE i.app_id = ? AND i.own = 0 AND m.sender = 'u00004' GROUP BY i.user_id ORDER BY i.user_id`,
      )
      .all(server.appId);
    expect(got).toEqual([
      { user: 'u00001', n: 1 },
      { user: 'u00002', n: 1 },
      { user: 'u00003', n: 1 },
    ]);
  });
});

describe('REST broadcast across a restart', () => {
  it('goes on after the server stopped mid-job, and nobody gets it twice', { timeout: 120_000 }, async () => {
    const tuning = { broadcastChunkUsers: 20 };
    let server = await startTestServer({ tuning });
    const { dataDir } = server;
    try {
      const { db, users } = server.server;
      db.transaction(() => {
        for (let i = 0; i < 3_000; i++) users.ensureUser(server.appId, `r${i}`);
      })();
      const call = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
      const started = await call('POST', `/v1/accounts/{sid}/apps/${server.appId}/broadcasts`, { message: { type: 'text', text: 'survives' } });
      const jobId = started.json.jobId as string;
      await waitFor(() => (db.prepare('SELECT done FROM broadcast_jobs WHERE job_id = ?').pluck().get(jobId) as number) > 0, 20_000, 'some progress');
      await server.stop({ keepData: true });
      const cut = openServerDatabase(dataDir);
      const midway = cut.prepare('SELECT state, done, total FROM broadcast_jobs WHERE job_id = ?').get(jobId) as { state: string; done: number; total: number };
      cut.close();
      expect(midway.state).toBe('running');
      expect(midway.done).toBeLessThan(midway.total);

      server = await startTestServer({ tuning, dataDir });
      const again = restClient(`http://127.0.0.1:${server.httpPort}`, server.accountSid, server.authToken);
      let job: { state: string; done: number; total: number } = midway;
      await waitFor(
        async () => {
          job = (await again('GET', `/v1/accounts/{sid}/apps/${server.appId}/broadcasts/${jobId}`)).json;
          return job.state !== 'running';
        },
        100_000,
        'the resumed broadcast',
      );
      expect(job).toMatchObject({ state: 'done', done: 3_000, total: 3_000 });
      const rows = server.server.db
        .prepare(
          `SELECT COUNT(*) AS entries, COUNT(DISTINCT i.user_id) AS users FROM inbox i JOIN messages m ON m.msg_id = i.msg_id
           WHERE i.app_id = ? AND i.own = 0 AND m.sender = 'system'`,
        )
        .get(server.appId);
      expect(rows).toEqual({ entries: 3_000, users: 3_000 });
    } finally {
      await server.stop();
    }
  });
});
