import Fastify, { type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import type { Logger } from 'pino';

export interface HttpListenerOptions {
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Registered in order, each in its own encapsulated context. */
  readonly plugins: readonly FastifyPluginAsync[];
  readonly log: Logger;
  /** Largest request body; the REST API's bodies are small (broadcast lists of user ids at most). */
  readonly bodyLimitBytes?: number;
}

export interface HttpListener {
  readonly port: number;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

/**
 * The server's HTTP side: one Fastify instance on its own port, the plugins (REST, health and
 * metrics) registered on it. Fastify's own logger stays off: the plugins log through pino.
 */
export async function startHttpListener(options: HttpListenerOptions): Promise<HttpListener> {
  const app = Fastify({ logger: false, bodyLimit: options.bodyLimitBytes ?? 1024 * 1024, trustProxy: false });
  for (const plugin of options.plugins) await app.register(plugin);
  await app.listen({ host: options.host, port: options.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  options.log.info({ host: options.host, port }, 'http listening');
  return {
    port,
    app,
    close: () => app.close(),
  };
}
