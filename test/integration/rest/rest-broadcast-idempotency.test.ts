import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { openChatWorld, type ChatWorld } from '../server/chat-fixture';
import { restClient, waitFor, type RestCall } from './rest-fixture';

/**
 * An app server starts a broadcast, times out, and calls again (signed anew): without a key that
 * was a second job, and every recipient got the message twice. The same idempotencyKey answers the
 * first job instead.
 */
describe('REST broadcast with an idempotencyKey, over HTTP on the real server', () => {
  let world: ChatWorld;
  let call: RestCall;
  let broadcasts: string;

  beforeAll(async () => {
    world = await openChatWorld({ tuning: { restMaxRefusals: 1_000_000 } });
    call = restClient(`http://127.0.0.1:${world.server.httpPort}`, world.server.accountSid, world.server.authToken);
    broadcasts = `/v1/accounts/{sid}/apps/${world.server.appId}/broadcasts`;
  });
  afterAll(async () => {
    await world.close();
  });

  const jobsOf = (sender: string): number =>
    Number(world.server.server.db.prepare<[string, string], number>('SELECT COUNT(*) FROM broadcast_jobs WHERE app_id = ? AND sender = ?').pluck().get(world.server.appId, sender));

  async function finished(jobId: string): Promise<void> {
    await waitFor(async () => (await call('GET', `${broadcasts}/${jobId}`)).json.state === 'done', 10_000, `broadcast ${jobId} done`);
  }

  it('a retried broadcast with the same key is one job: each recipient gets the message once', async () => {
    const body = { from: 'news01', to: ['reader01', 'reader02'], message: { type: 'text', text: 'issue 1' }, idempotencyKey: 'issue-1' };
    const first = await call('POST', broadcasts, body);
    expect(first.status, first.text).toBe(202);
    const again = await call('POST', broadcasts, body);
    expect([again.status, again.json.jobId]).toEqual([202, first.json.jobId]);
    // the first job, whatever the repeat says
    const changed = await call('POST', broadcasts, { ...body, to: ['reader03'], message: { type: 'text', text: 'issue 2' } });
    expect([changed.status, changed.json.jobId]).toEqual([202, first.json.jobId]);
    const together = await Promise.all([call('POST', broadcasts, body), call('POST', broadcasts, body)]);
    expect(together.map((r) => r.json.jobId)).toEqual([first.json.jobId, first.json.jobId]);
    await finished(first.json.jobId as string);
    expect(jobsOf('news01')).toBe(1);

    for (const user of ['reader01', 'reader02']) {
      const reader = await world.login(user);
      const texts = (await reader.syncAll()).filter((e) => e.item.case === 'message').map((e) => (e.item.value as { text: string }).text);
      expect(texts, user).toEqual(['issue 1']);
    }
    const third = await world.login('reader03');
    expect((await third.syncAll()).filter((e) => e.item.case === 'message')).toEqual([]);
  });

  it('a key is its sender\'s, and a broadcast without one is a new job each time', async () => {
    const message = { type: 'text', text: 'hello' };
    const byA = await call('POST', broadcasts, { from: 'news02', to: ['reader04'], message, idempotencyKey: 'same' });
    const byB = await call('POST', broadcasts, { from: 'news03', to: ['reader04'], message, idempotencyKey: 'same' });
    const bySystem = await call('POST', broadcasts, { to: ['reader04'], message, idempotencyKey: 'same' });
    const plain = [await call('POST', broadcasts, { from: 'news02', to: ['reader04'], message }), await call('POST', broadcasts, { from: 'news02', to: ['reader04'], message })];
    const ids = [byA, byB, bySystem, ...plain].map((r) => r.json.jobId as string);
    expect(new Set(ids).size).toBe(5);
    for (const id of ids) await finished(id);
  });

  it('refuses a key that is empty, too long or holds other characters with 400 REST_BAD_REQUEST, starting nothing', async () => {
    for (const idempotencyKey of ['', 'k'.repeat(129), 'has space', 'a/b']) {
      const refused = await call('POST', broadcasts, { from: 'news04', to: ['reader05'], message: { type: 'text', text: 'x' }, idempotencyKey });
      expect([refused.status, refused.json.error.code]).toEqual([400, ErrorCode.REST_BAD_REQUEST]);
      expect(refused.json.error.message).toContain('body/idempotencyKey');
    }
    expect(jobsOf('news04')).toBe(0);
  });
});
