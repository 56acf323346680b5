import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import type { Logger } from 'pino';
import { bodyFrame, encodeFrame, ErrorCode, type Clock } from '../../protocol';
import type { Authenticator } from '../auth/authenticator';
import type { TlsConfig } from '../config';
import type { HandlerTable } from '../handler-types';
import type { Tuning } from '../tuning';
import { CLOSE_LINGER_MS, createConnection, type Connection, type InboxHead, type LoginExtras } from './connection';
import type { SessionRegistry } from './sessions';

export interface GatewayDeps {
  readonly host: string;
  readonly port: number;
  readonly tls: TlsConfig | undefined;
  readonly clock: Clock;
  readonly log: Logger;
  readonly tuning: Tuning;
  readonly authenticator: Authenticator;
  readonly sessions: SessionRegistry;
  readonly handlers: HandlerTable;
  inboxHead(appId: string, userId: string, clientMinor: number): InboxHead;
  loginExtras?(appId: string, userId: string): LoginExtras;
  /** The server's HTTP port (0: none). */
  httpPort?(): number;
}

export interface Gateway {
  listen(): Promise<{ port: number; tlsPort?: number }>;
  /** Stops accepting, lets in-flight requests finish (up to the grace time), closes every socket. */
  stop(): Promise<void>;
  readonly connectionCount: number;
}

/** The TCP (and optional TLS) listeners and the connections they accept. */
export function createGateway(deps: GatewayDeps): Gateway {
  const { clock, tuning, log } = deps;
  const connections = new Set<Connection>();
  const servers: Server[] = [];

  /** Connections per remote address that have not logged in yet. */
  const pendingByAddress = new Map<string, number>();

  function changePending(address: string, by: 1 | -1): void {
    const count = (pendingByAddress.get(address) ?? 0) + by;
    if (count > 0) pendingByAddress.set(address, count);
    else pendingByAddress.delete(address);
  }

  /** Sockets told why they are refused, closing; a stop does not wait for their peers. */
  const refused = new Set<Socket>();

  function refuse(socket: Socket, code: number, message: string): void {
    refused.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => refused.delete(socket));
    socket.end(encodeFrame(bodyFrame('ERROR', { code, message })));
    // wall time on purpose: a safety net against a peer that never reads our last frame
    setTimeout(() => socket.destroy(), CLOSE_LINGER_MS).unref();
  }

  function accept(socket: Socket): void {
    socket.setNoDelay(true);
    const address = socket.remoteAddress ?? 'unknown';
    if ((pendingByAddress.get(address) ?? 0) >= tuning.maxPendingConnectionsPerAddress) {
      log.debug({ address }, 'refusing a connection: too many from this address have not logged in');
      refuse(socket, ErrorCode.TOO_MANY_PENDING_CONNECTIONS, `${tuning.maxPendingConnectionsPerAddress} connections from this address have not logged in yet; retry later`);
      return;
    }
    changePending(address, 1);
    let pending = true;
    const settle = () => {
      if (pending) changePending(address, -1);
      pending = false;
    };
    const connection = createConnection({
      socket,
      clock,
      log,
      tuning,
      authenticator: deps.authenticator,
      sessions: deps.sessions,
      handlers: deps.handlers,
      inboxHead: deps.inboxHead,
      ...(deps.loginExtras ? { loginExtras: deps.loginExtras } : {}),
      ...(deps.httpPort ? { httpPort: deps.httpPort } : {}),
      onLoggedIn: settle,
      onClosed: (closed) => {
        settle();
        connections.delete(closed);
      },
    });
    connections.add(connection);
  }

  function listenOn(server: Server, port: number): Promise<number> {
    server.maxConnections = tuning.maxConnections;
    servers.push(server);
    return new Promise((resolve, reject) => {
      // a port that cannot be opened (EADDRINUSE, EACCES) is the caller's to report, in one line
      server.once('error', reject);
      server.listen(port, deps.host, () => {
        server.off('error', reject);
        server.on('error', (error) => log.error({ err: error }, 'listener error'));
        const address = server.address();
        resolve(typeof address === 'object' && address ? address.port : port);
      });
    });
  }

  /**
   * The TLS port's front door: a TLS ClientHello goes on to TLS; anything else is a plain client
   * given the wrong port, told so in a plain ERROR frame (TLS would hold its HELLO for ever, since
   * a small HELLO's first bytes can pass for a TLS record header).
   */
  function acceptOnTlsPort(tlsServer: TlsServer): (socket: Socket) => void {
    return (socket) => {
      // wall time on purpose, as for any unauthenticated socket: a silent peer is dropped
      const silent = setTimeout(() => socket.destroy(), tuning.loginTimeoutMs).unref();
      socket.on('error', () => clearTimeout(silent));
      socket.once('data', (chunk: Buffer) => {
        clearTimeout(silent);
        socket.pause();
        if (!isTlsClientHello(chunk)) {
          refuse(socket, ErrorCode.TLS_REQUIRED, 'this port speaks TLS: write the server address as tls://host:port');
          return;
        }
        socket.unshift(chunk);
        tlsServer.emit('connection', socket);
      });
    };
  }

  return {
    get connectionCount() {
      return connections.size;
    },
    async listen() {
      const port = await listenOn(createTcpServer(accept), deps.port);
      if (!deps.tls) return { port };
      // never listens itself: the front door hands it the sockets that open with a TLS hello
      const tlsServer = createTlsServer(
        { cert: readFileSync(deps.tls.certFile), key: readFileSync(deps.tls.keyFile) },
        accept,
      );
      // a failed handshake is that client's problem only
      tlsServer.on('tlsClientError', (error) => log.debug({ err: error }, 'TLS handshake failed'));
      const tlsPort = await listenOn(createTcpServer(acceptOnTlsPort(tlsServer)), deps.tls.port);
      return { port, tlsPort };
    },
    async stop() {
      const closing = servers.map(
        (server) => new Promise<void>((resolve) => server.close(() => resolve())),
      );
      const open = [...connections];
      const graceful = Promise.all([
        ...open.map((connection) => connection.shutdown(ErrorCode.SERVER_SHUTTING_DOWN, 'the server is stopping')),
        ...open.map((connection) => connection.closed),
      ]);
      // wall time on purpose: the stop must end even when a test drives a manual clock
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, tuning.shutdownGraceMs);
      });
      await Promise.race([graceful, deadline]);
      clearTimeout(timer);
      for (const connection of connections) connection.destroy();
      for (const socket of refused) socket.destroy();
      await Promise.all([...open.map((connection) => connection.closed), ...closing]);
      servers.length = 0;
    },
  };
}

/**
 * A TLS record carrying a ClientHello: content type 22, version 3.x, then (after the 2-byte
 * length) handshake type 1. A Magpie frame can share the first two bytes (length 22, type HELLO)
 * but not the sixth, which is inside the HELLO body (protocol major 2 or more).
 */
function isTlsClientHello(chunk: Buffer): boolean {
  return chunk[0] === 0x16 && chunk[1] === 0x03 && (chunk.length < 6 || chunk[5] === 0x01);
}
