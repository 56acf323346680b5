import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { startRestApp, type RestApp } from './rest-app-fixture';
import { waitFor } from './rest-fixture';

/**
 * A broadcast's `to` list: `system` is refused as the invalid recipient it is (it was counted as a
 * failed recipient of a job that ran), and a user named twice gets one copy.
 */
describe('a broadcast to a list', () => {
  let f: RestApp;
  beforeAll(async () => {
    f = await startRestApp();
  });
  afterAll(() => f.stop());

  const jobs = () => f.server.server.db.prepare<[], number>('SELECT COUNT(*) FROM broadcast_jobs').pluck().get();

  it('naming system is 400 REST_BAD_REQUEST naming the field, and no job starts', async () => {
    const before = jobs();
    for (const from of [undefined, 'alice']) {
      const reply = await f.call('POST', `${f.app}/broadcasts`, { ...(from ? { from } : {}), to: ['bob', 'system'], message: { type: 'text', text: 'hi' } });
      expect([reply.status, reply.json?.error?.code], reply.text).toEqual([400, ErrorCode.REST_BAD_REQUEST]);
      expect(reply.json.error.message).toContain('body/to/1 is "system", the app\'s notification sender: nobody reads messages sent to it');
    }
    expect(jobs()).toBe(before);
  });

  it('a user named twice gets one copy, and the job counts each user once', async () => {
    const dave = await f.login('dave');
    const erin = await f.login('erin');
    const started = await f.call('POST', `${f.app}/broadcasts`, { to: ['dave', 'erin', 'dave'], message: { type: 'text', text: 'once' } });
    expect([started.status, started.json.total], started.text).toEqual([202, 2]);
    let job = started.json as { state: string; done: number; failed: number };
    await waitFor(
      async () => {
        job = (await f.call('GET', `${f.app}/broadcasts/${started.json.jobId}`)).json;
        return job.state !== 'running';
      },
      10_000,
      'the job to end',
    );
    expect(job).toMatchObject({ state: 'done', done: 2, failed: 0 });
    for (const client of [dave, erin]) {
      const push = await client.waitForPush('PUSH');
      expect(push.item.case === 'message' && push.item.value.text).toBe('once');
    }
    // a second copy would have come with the first: the same chunk, the same commit
    await dave.ping();
    expect(dave.pushes.filter((frame) => frame.name === 'PUSH')).toEqual([]);
    const inbox = f.server.server.db.prepare<[string, string], number>('SELECT COUNT(*) FROM inbox WHERE user_id = ? AND app_id = ?').pluck();
    expect(inbox.get('dave', f.server.appId)).toBe(1);
  });
});
