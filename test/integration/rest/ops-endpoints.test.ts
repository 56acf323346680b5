import { describe, expect, it } from 'vitest';
import { pb } from '../../../protocol';
import { clientId, openChatWorld } from '../server/chat-fixture';

describe('/healthz and /metrics', () => {
  it('report ready while the server runs, and its counters in the Prometheus format', async () => {
    const world = await openChatWorld({});
    try {
      const base = `http://127.0.0.1:${world.server.httpPort}`;
      const health = await fetch(`${base}/healthz`);
      expect([health.status, await health.json()]).toEqual([200, { status: 'ready' }]);

      const alice = await world.login('alice');
      await alice.send({ clientMsgId: clientId(1), to: 'bob', type: pb.MessageType.TEXT, text: 'counted' });
      let response = await fetch(`${base}/metrics`);
      expect(response.headers.get('content-type')).toContain('text/plain');
      let text = await response.text();
      const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
      // on PostgreSQL the count is the statistics' live rows, which a backend reports within a second
      for (const deadline = Date.now() + 5_000; value('magpie_messages_stored_total') !== 1 && Date.now() < deadline; ) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        response = await fetch(`${base}/metrics`);
        text = await response.text();
      }
      expect(value('magpie_connections')).toBe(1);
      expect(value('magpie_sessions')).toBe(1);
      expect(value('magpie_messages_stored_total')).toBe(1);
      expect(value('magpie_push_queue_depth')).toBe(0);
      expect(value('magpie_sqlite_commit_seconds_count')).toBeGreaterThanOrEqual(1);
      expect(text).toMatch(/^magpie_nodejs_eventloop_lag_p99_seconds /m);
    } finally {
      await world.close();
    }
  });
});
