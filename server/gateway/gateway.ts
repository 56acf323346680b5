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

  /**
   * Connections per remote address that have not logged in yet. On the TLS port a socket counts
   * from its TCP accept, through its handshake, until its login: a handshake is a connection too.
   */
  const pendingByAddress = new Map<string, number>();

  /** Counts one not-yet-logged-in connection of address; undefined when it is over the limit. */
  function admit(address: string): (() => void) | undefined {
    const count = pendingByAddress.get(address) ?? 0;
    if (count >= tuning.maxPendingConnectionsPerAddress) return undefined;
    pendingByAddress.set(address, count + 1);
    let counted = true;
    return () => {
      if (!counted) return;
      counted = false;
      const left = (pendingByAddress.get(address) ?? 0) - 1;
      if (left > 0) pendingByAddress.set(address, left);
      else pendingByAddress.delete(address);
    };
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

  function tooManyPendingMessage(): string {
    return `${tuning.maxPendingConnectionsPerAddress} connections from this address have not logged in yet; retry later`;
  }

  function accept(socket: Socket): void {
    const address = socket.remoteAddress ?? 'unknown';
    const release = admit(address);
    if (!release) {
      log.debug({ address }, 'refusing a connection: too many from this address have not logged in');
      refuse(socket, ErrorCode.TOO_MANY_PENDING_CONNECTIONS, tooManyPendingMessage());
      return;
    }
    startConnection(socket, release);
  }

  /** Serves a socket counted by admit(); release() is called at its login or its close. */
  function startConnection(socket: Socket, release: () => void): void {
    socket.setNoDelay(true);
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
      onLoggedIn: release,
      onClosed: (closed) => {
        release();
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
   * TLS-port sockets not yet handed to a connection (no first byte yet, or a handshake under way),
   * by remote address and port: the TLS server hands the finished handshake back by that key.
   */
  const unsecured = new Map<string, { readonly raw: Socket; readonly release: () => void; readonly deadline: ReturnType<typeof setTimeout> }>();

  function peerKey(socket: Socket): string {
    return `${socket.remoteAddress ?? '?'}|${socket.remotePort ?? '?'}`;
  }

  /**
   * The TLS port's front door: a TLS ClientHello goes on to TLS; anything else is a plain client
   * given the wrong port, told so in a plain ERROR frame (TLS would hold its HELLO for ever, since
   * a small HELLO's first bytes can pass for a TLS record header). Its first byte and its whole
   * handshake must come within the login timeout, and it counts as a pending connection of its
   * address meanwhile: a peer that stalls its handshake holds no more than one that never logs in.
   */
  function acceptOnTlsPort(tlsServer: TlsServer): (raw: Socket) => void {
    return (raw) => {
      const address = raw.remoteAddress ?? 'unknown';
      raw.on('error', () => undefined);
      const release = admit(address);
      if (!release) {
        // no frame can be said before a handshake: closed at once, as past maxConnections
        log.debug({ address }, 'refusing a TLS connection: too many from this address have not logged in');
        raw.destroy();
        return;
      }
      const key = peerKey(raw);
      // wall time on purpose, as for any unauthenticated socket: a silent or stalled peer is dropped
      const deadline = setTimeout(() => {
        log.debug({ address }, `closing a TLS connection: no handshake within ${tuning.loginTimeoutMs} ms`);
        raw.destroy();
      }, tuning.loginTimeoutMs);
      deadline.unref();
      unsecured.set(key, { raw, release, deadline });
      raw.on('close', () => {
        clearTimeout(deadline);
        if (unsecured.get(key)?.raw === raw) unsecured.delete(key);
        release();
      });
      raw.once('data', (chunk: Buffer) => {
        raw.pause();
        if (!isTlsClientHello(chunk)) {
          clearTimeout(deadline);
          unsecured.delete(key);
          release();
          refuse(raw, ErrorCode.TLS_REQUIRED, 'this port speaks TLS: write the server address as tls://host:port');
          return;
        }
        raw.unshift(chunk);
        tlsServer.emit('connection', raw);
      });
    };
  }

  /** A finished handshake: the connection takes over its socket's count and the login timer. */
  function acceptSecured(socket: Socket): void {
    const entry = unsecured.get(peerKey(socket));
    if (!entry) {
      socket.destroy();
      return;
    }
    unsecured.delete(peerKey(socket));
    clearTimeout(entry.deadline);
    startConnection(socket, entry.release);
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
        // the front door's deadline ends a stalled handshake first; this is Node's own backstop
        { cert: readFileSync(deps.tls.certFile), key: readFileSync(deps.tls.keyFile), handshakeTimeout: tuning.loginTimeoutMs },
        acceptSecured,
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
      // nothing is in flight before a handshake ends, and a server's close waits for every socket it
      // accepted: a stalled handshake must not hold the stop
      for (const { raw } of [...unsecured.values()]) raw.destroy();
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
