import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { READS, REACHES_USERS, requireRouteKinds } from '../../../server/rest/route-kinds';

/** A signed REST route cannot slip past the offline guard by saying nothing of what it does. */
describe('REST route kinds', () => {
  async function serverWith(route: (app: ReturnType<typeof Fastify>) => void): Promise<void> {
    const app = Fastify();
    try {
      await app.register(async (scope) => {
        requireRouteKinds(scope);
        route(scope);
      });
      await app.ready();
    } finally {
      await app.close();
    }
  }

  it('refuses to start with a signed route that gives no kind', async () => {
    await expect(serverWith((app) => app.post('/v1/accounts/:accountSid/apps/:appId/things', () => ({})))).rejects.toThrow(
      'REST route POST /v1/accounts/:accountSid/apps/:appId/things says nothing of what it does',
    );
  });

  it('refuses a route that reaches users without naming its app in the path', async () => {
    await expect(serverWith((app) => app.post('/v1/accounts/:accountSid/things', { config: REACHES_USERS }, () => ({})))).rejects.toThrow(
      'its path must name the app (:appId)',
    );
  });

  it('takes routes that give their kind, and unsigned routes without one', async () => {
    await expect(
      serverWith((app) => {
        app.get('/v1/accounts/:accountSid/apps/:appId/things', { config: READS }, () => ({}));
        app.get('/v1/openapi.json', () => ({}));
      }),
    ).resolves.toBeUndefined();
  });
});
