import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { registerConsolePage } from '../../../server/console/console-page';

describe('the console page on the HTTP listener', () => {
  const folders: string[] = [];
  afterAll(async () => {
    await Promise.all(folders.map((dir) => rm(dir, { recursive: true, force: true, maxRetries: 5 })));
  });

  it('answers 503 with how to build it when the console was never built, and the listener keeps serving', async () => {
    const app = Fastify();
    await registerConsolePage(app, join(tmpdir(), 'magpie-no-console-here'));
    app.get('/healthz', () => ({ status: 'ready' }));
    for (const url of ['/console/', '/console/assets/index.js']) {
      const reply = await app.inject({ url });
      expect(reply.statusCode).toBe(503);
      expect(reply.headers['content-type']).toContain('text/html');
      expect(reply.body).toContain('npm run build');
    }
    expect((await app.inject({ url: '/console' })).headers.location).toBe('/console/');
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
    await app.close();
  });

  it('serves the built page and its assets', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'magpie-console-'));
    folders.push(dir);
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>console</title>');
    const app = Fastify();
    await registerConsolePage(app, dir);
    const reply = await app.inject({ url: '/console/' });
    expect(reply.statusCode).toBe(200);
    expect(reply.body).toContain('<title>console</title>');
    expect((await app.inject({ url: '/console/nothing.js' })).statusCode).toBe(404);
    await app.close();
  });
});
