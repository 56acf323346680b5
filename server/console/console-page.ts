import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * The page allows only its own files: no inline script, no eval, no framing, no form posts
 * elsewhere; connections only back to this server.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** Headers on every console answer, page, assets and API alike. */
export function addSecurityHeaders(reply: FastifyReply, cacheable: boolean): void {
  reply.header('content-security-policy', CONSOLE_CSP);
  reply.header('x-frame-options', 'DENY');
  reply.header('x-content-type-options', 'nosniff');
  reply.header('referrer-policy', 'no-referrer');
  reply.header('cross-origin-opener-policy', 'same-origin');
  // hashed asset names may be cached; the page and the API never (they hold an app token)
  reply.header('cache-control', cacheable ? 'public, max-age=31536000, immutable' : 'no-store');
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Magpie console not built</title></head>
<body><h1>The Magpie developer console is not built</h1>
<p>Build it with <code>npm run build</code> (or only the console: <code>npx vite build -c vite.console.config.ts</code>)
in the Magpie folder, then restart the server.</p>
<p>The REST API, <code>/healthz</code> and <code>/metrics</code> work without it.</p></body></html>
`;

/**
 * Serves the built console (index.html and its hashed assets) under /console/, or, when it was
 * never built, a 503 page that says how to build it.
 */
export async function registerConsolePage(app: FastifyInstance, assetsDir: string): Promise<void> {
  app.get('/console', (_request, reply) => reply.redirect('/console/'));
  // the port's address alone, typed into a browser, opens the console
  app.get('/', (_request, reply) => reply.redirect('/console/'));
  if (!existsSync(join(assetsDir, 'index.html'))) {
    const notBuilt = (_request: unknown, reply: FastifyReply) => reply.code(503).type('text/html; charset=utf-8').send(NOT_BUILT);
    app.get('/console/', notBuilt);
    app.get('/console/*', notBuilt);
    return;
  }
  await app.register(fastifyStatic, { root: assetsDir, prefix: '/console/', decorateReply: false, index: 'index.html', cacheControl: false });
}
