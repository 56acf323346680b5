import { Writable } from 'node:stream';
import pino from 'pino';
import { expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from '../../../server/http/http-server';

it("the HTTP layer's own log names a request by its path, never its query (a REST signature is there)", async () => {
  let text = '';
  const capture = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  const server = createHttpServer({
    host: '127.0.0.1',
    port: 0,
    log: pino({ level: 'trace' }, capture),
    routes: [
      async (app: FastifyInstance) => {
        app.get('/boom', async () => {
          throw new Error('boom');
        });
      },
    ],
  });
  const port = await server.listen();
  try {
    expect((await fetch(`http://127.0.0.1:${port}/boom?sig=SECRETSIG`)).status).toBe(500);
  } finally {
    await server.close();
  }
  expect(text).toContain('"url":"/boom"');
  expect(text).not.toContain('SECRETSIG');
});
