import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createOpsMetrics, createOpsPlugin, type OpsSources } from '../../../server/ops/ops-plugin';

/** /healthz follows the server's readiness (database open and gateway listening) both ways. */
describe('/healthz', () => {
  it('answers 503 "unavailable" while the server is not ready, and 200 "ready" once it is', async () => {
    let ready = false;
    const sources: OpsSources = { ready: () => ready, connections: () => 0, sessions: () => 0, messagesStored: () => 0, pushQueueDepth: () => 3 };
    const metrics = createOpsMetrics(sources);
    const app = Fastify();
    await app.register(createOpsPlugin({ sources, metrics }));
    try {
      const before = await app.inject({ method: 'GET', url: '/healthz' });
      expect([before.statusCode, before.json()]).toEqual([503, { status: 'unavailable' }]);
      ready = true;
      const after = await app.inject({ method: 'GET', url: '/healthz' });
      expect([after.statusCode, after.json()]).toEqual([200, { status: 'ready' }]);
      metrics.countRefusal();
      const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(text).toMatch(/^magpie_push_queue_depth 3$/m);
      expect(text).toMatch(/^magpie_rest_refusals_total 1$/m);
    } finally {
      await app.close();
    }
  });
});
