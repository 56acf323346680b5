import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { MEDIA_LIMITS, type EventName, type EventPayloads, type WebClientMessage, type WebServerMessage } from '../../preload/api';
import type { Dispatch } from '../api/dispatch';
import { contentSecurityPolicy } from '../shell/window-policy';
import { createStaticHandler } from './static-files';

/** A page's largest socket message: room for a media.send's base64 (MEDIA_LIMITS.maxSendBytes) and its JSON. */
const DEFAULT_MAX_MESSAGE_BYTES = Math.ceil(MEDIA_LIMITS.maxSendBytes / 3) * 4 + 64 * 1024;

export interface WebShellOptions {
  /** The built renderer (out/renderer). */
  readonly rendererDir: string;
  readonly dispatch: Dispatch;
  readonly host?: string;
  readonly port?: number;
  /** The secret in the page URL; a random one when omitted. */
  readonly token?: string;
  /** The largest message a page may send over the socket. */
  readonly maxMessageBytes?: number;
  readonly onError: (error: unknown) => void;
}

export interface WebShell {
  /** Starts listening on 127.0.0.1; resolves with the URL to open (it carries the token). */
  start(): Promise<{ url: string; port: number }>;
  /** Sends an event to every connected page. */
  emit<E extends EventName>(event: E, payload: EventPayloads[E]): void;
  readonly clientCount: number;
  stop(): Promise<void>;
}

/**
 * The second shell: serves the renderer and the same contract over a WebSocket, on loopback only,
 * to a page that knows the random token. It is how the UI runs where Electron cannot.
 */
export function createWebShell(options: WebShellOptions): WebShell {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('hex');
  const clients = new Set<WebSocket>();
  let server: Server | undefined;
  let wss: WebSocketServer | undefined;
  let origin = '';

  const tokenOk = (request: IncomingMessage): boolean => {
    const given = new URL(request.url ?? '/', 'http://localhost').searchParams.get('token') ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  };

  const send = (socket: WebSocket, message: WebServerMessage): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };

  const onMessage = async (socket: WebSocket, data: unknown): Promise<void> => {
    let message: WebClientMessage;
    try {
      message = JSON.parse(String(data)) as WebClientMessage;
    } catch {
      socket.close(1003, 'not JSON');
      return;
    }
    if (message?.type !== 'invoke' || !Number.isSafeInteger(message.id)) {
      socket.close(1003, 'not an invoke');
      return;
    }
    const result = await options.dispatch(message.method, message.args);
    send(socket, { type: 'result', id: message.id, result });
  };

  return {
    get clientCount() {
      return clients.size;
    },

    async start() {
      const headers = {
        'Content-Security-Policy': '',
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cross-Origin-Opener-Policy': 'same-origin',
        'X-Frame-Options': 'DENY',
      };
      const serveStatic = createStaticHandler(options.rendererDir, headers);
      server = createServer((request, response) => {
        const path = new URL(request.url ?? '/', 'http://localhost').pathname;
        // the page itself needs the token; its assets are public build output
        if ((path === '/' || path === '/index.html') && !tokenOk(request)) {
          response.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' }).end(
            'This address is not valid (any more): each start of Magpie (npm start, npm run web) makes a new one. Open the address it printed, token included.\n',
          );
          return;
        }
        serveStatic(request, response).catch((error: unknown) => {
          options.onError(error);
          if (!response.headersSent) response.writeHead(500).end();
        });
      });
      wss = new WebSocketServer({ noServer: true, maxPayload: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES });
      server.on('upgrade', (request, socket, head) => {
        const path = new URL(request.url ?? '/', 'http://localhost').pathname;
        // only our own page may talk to the core: the right path, the token, and our origin
        if (path !== '/api' || !tokenOk(request) || request.headers.origin !== origin) {
          socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
          return;
        }
        wss!.handleUpgrade(request, socket, head, (ws) => {
          clients.add(ws);
          ws.on('close', () => clients.delete(ws));
          ws.on('error', () => ws.terminate());
          ws.on('message', (data) => {
            onMessage(ws, data).catch((error: unknown) => options.onError(error));
          });
        });
      });
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(options.port ?? 0, host, () => resolve());
      });
      const port = (server.address() as AddressInfo).port;
      origin = `http://${host}:${port}`;
      headers['Content-Security-Policy'] = contentSecurityPolicy({ connectSources: [`ws://${host}:${port}`] });
      return { url: `${origin}/?token=${token}`, port };
    },

    emit(event, payload) {
      const text = JSON.stringify({ type: 'event', event, payload } satisfies WebServerMessage);
      for (const socket of clients) if (socket.readyState === socket.OPEN) socket.send(text);
    },

    async stop() {
      for (const socket of clients) socket.terminate();
      clients.clear();
      wss?.close();
      const closing = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      server?.closeAllConnections();
      await closing;
    },
  };
}
