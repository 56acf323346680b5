import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import {
  bodyFrame,
  compressFrame,
  decodeFrame,
  emptyFrame,
  ErrorCode,
  FrameDecoder,
  isMagpieError,
  MagpieError,
  type pb,
  PROTOCOL_MAJOR,
  PROTOCOL_MINOR,
  type Clock,
  type DecodedFrame,
  type Frame,
  type TimerHandle,
  sizeRefusalToWire,
  type SizeRefusal,
} from '../../protocol';
import type { MessageInitShape } from '@bufbuild/protobuf';
import type { Authenticator } from '../auth/authenticator';
import type { PasswordChallenge } from '../auth/password-challenge';
import type { Caller, Handler, HandlerTable } from '../handler-types';
import { storageUnavailable } from '../storage/storage-errors';
import type { Tuning } from '../tuning';
import { loginLimits } from './login-limits';
import { createOutbound } from './outbound';
import type { Session, SessionRegistry } from './sessions';
import { createTokenBucket } from './token-bucket';

export const SERVER_NAME = 'magpie-server/0.1.0';

/** How long a closing socket may take to read our last frame before it is destroyed. */
export const CLOSE_LINGER_MS = 2_000;

export interface InboxHead {
  readonly maxSeq: number;
  readonly confirmedSeq: number;
}

export interface ConnectionDeps {
  readonly socket: Socket;
  readonly clock: Clock;
  readonly log: Logger;
  readonly tuning: Tuning;
  readonly authenticator: Authenticator;
  readonly sessions: SessionRegistry;
  readonly handlers: HandlerTable;
  /** The inbox head for LOGIN_RESULT; a 2.0 client's user first gets its timelines copied in. */
  inboxHead(appId: string, userId: string, clientMinor: number): InboxHead;
  /** Fields other parts add to LOGIN_RESULT (the file service's port and media token). */
  loginExtras?(appId: string, userId: string): LoginExtras;
  /** The server's HTTP port (0: none), named to a browser that opened the client port. */
  httpPort?(): number;
  /** Called once, when the login succeeds. */
  onLoggedIn?(): void;
  onClosed(connection: Connection): void;
}

export type LoginExtras = Pick<MessageInitShape<typeof pb.LoginResultSchema>, 'httpPort' | 'mediaToken' | 'advertisedAddresses'>;

/** One client socket, from HELLO to close. */
export interface Connection {
  readonly caller: Caller | undefined;
  /** Stops reading, lets the requests already received finish, then says why and closes. */
  shutdown(code: number, reason: string): Promise<void>;
  /** Closes at once. */
  destroy(): void;
  readonly closed: Promise<void>;
}

type Phase = 'hello' | 'login' | 'ready' | 'closing';

/** An HTTP/1 request line's start ("GET /", "POST /", …): no Magpie frame starts with these bytes. */
const HTTP_REQUEST = /^(?:GET|HEAD|POST|PUT|DELETE|OPTIONS|PATCH|CONNECT|TRACE) /;

function startsLikeHttp(chunk: Buffer): boolean {
  return HTTP_REQUEST.test(chunk.subarray(0, 8).toString('latin1'));
}

export function createConnection(deps: ConnectionDeps): Connection {
  const { socket, clock, tuning, sessions } = deps;
  const log = deps.log.child({ remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}` });
  const decoder = new FrameDecoder({ maxFrameBytes: tuning.maxFrameBytes });
  const bucket = createTokenBucket({ clock, ratePerSecond: tuning.requestsPerSecond, burst: tuning.requestBurst });
  const queue: DecodedFrame[] = [];
  /** SENDs handed to the chat service and not yet answered. */
  const sending = new Set<Promise<void>>();
  let phase: Phase = 'hello';
  // what the client said in HELLO: a 2.0 client is never sent a group timeline's entries
  let clientMinor = 0;
  let caller: Caller | undefined;
  let session: Session | undefined;
  /** The last AUTH_CHALLENGE sent, for the password LOGIN that answers it; used once. */
  let challenge: PasswordChallenge | undefined;
  /** Set by shutdown(): reading stays paused while the last requests finish. */
  let stopping = false;
  let lastHeardMs = clock.now();
  /** Whether any byte came yet (the first ones may be a browser's HTTP request). */
  let heardAnything = false;
  let working: Promise<void> | undefined;
  let lingerTimer: ReturnType<typeof setTimeout> | undefined;
  let idleTimer: TimerHandle | undefined;
  let loginTimer: TimerHandle | undefined = clock.setTimeout(
    () => fail(new MagpieError(ErrorCode.LOGIN_TIMEOUT, `no login within ${tuning.loginTimeoutMs} ms`)),
    tuning.loginTimeoutMs,
  );

  const outbound = createOutbound({
    socket,
    clock,
    tuning,
    onCongestion: () => updateReading(),
    onOverflow: (reason) => {
      log.warn({ reason }, 'dropping a client that does not read');
      socket.destroy();
    },
  });

  let resolveClosed!: () => void;
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));

  function isClosing(): boolean {
    return phase === 'closing';
  }

  /** Every body above the threshold announced in HELLO_ACK leaves deflated (docs/protocol.md, section 2). */
  function send(frame: Frame): void {
    if (phase !== 'closing') outbound.send(compressFrame(frame, tuning.compressThresholdBytes));
  }

  function errorFrame(code: number, message: string, requestId?: number, tooLarge?: SizeRefusal): Frame {
    const body = tooLarge === undefined ? { code, message } : { code, message, ...sizeRefusalToWire(tooLarge) };
    return bodyFrame('ERROR', body, requestId === undefined ? {} : { requestId });
  }

  function reply(frame: Frame, requestId: number | undefined): void {
    // a literal, not a spread: a spread's copy took V8's slow path on every answer
    send(requestId === undefined ? frame : { type: frame.type, requestId, compressed: frame.compressed, body: frame.body });
  }

  /** Sends a last frame and closes this socket only. */
  function closeWith(frame: Frame | undefined): void {
    if (phase === 'closing') return;
    if (frame) outbound.send(frame);
    outbound.flush();
    phase = 'closing';
    stopTimers();
    if (session) sessions.remove(session);
    socket.end();
    // wall time on purpose: a safety net against a peer that never closes, not behaviour under test
    lingerTimer = setTimeout(() => socket.destroy(), CLOSE_LINGER_MS);
    lingerTimer.unref();
  }

  /**
   * A browser (or curl) pointed at the client port: a plain HTTP answer that says where the HTTP
   * port is reads better than the bytes of an ERROR frame (docs/server.md "The gateway").
   */
  function answerHttp(): void {
    const port = deps.httpPort?.() ?? 0;
    const where = port > 0 ? `port ${port}` : 'the server\'s HTTP port';
    const body = `This is the Magpie server's client port: it speaks Magpie's binary protocol, not HTTP.\nThe developer console, the REST API and the file service are on ${where}.\n`;
    const head = ['HTTP/1.1 400 Bad Request', 'Content-Type: text/plain; charset=utf-8', `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close'];
    log.debug('an HTTP request on the client port');
    phase = 'closing';
    stopTimers();
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
    lingerTimer = setTimeout(() => socket.destroy(), CLOSE_LINGER_MS);
    lingerTimer.unref();
  }

  function fail(error: MagpieError): void {
    log.debug({ code: error.code, message: error.message }, 'closing connection');
    closeWith(errorFrame(error.code, error.message));
  }

  function stopTimers(): void {
    for (const timer of [loginTimer, idleTimer]) if (timer) clock.clearTimeout(timer);
    loginTimer = idleTimer = undefined;
  }

  function scheduleIdleCheck(afterMs: number): void {
    idleTimer = clock.setTimeout(() => {
      const silentMs = clock.now() - lastHeardMs;
      if (silentMs >= tuning.idleTimeoutMs) {
        fail(new MagpieError(ErrorCode.IDLE_TIMEOUT, `silent for ${silentMs} ms`));
      } else {
        scheduleIdleCheck(tuning.idleTimeoutMs - silentMs);
      }
    }, afterMs);
  }

  function updateReading(): void {
    if (phase === 'closing') return;
    const shouldPause = stopping || outbound.congested || queue.length >= tuning.maxQueuedRequests;
    if (shouldPause && !socket.isPaused()) socket.pause();
    else if (!shouldPause && socket.isPaused()) socket.resume();
  }

  function onData(chunk: Buffer): void {
    if (phase === 'closing') return;
    if (!heardAnything) {
      heardAnything = true;
      if (startsLikeHttp(chunk)) return answerHttp();
    }
    let frames: Frame[];
    try {
      frames = decoder.push(chunk);
    } catch (error) {
      fail(asMagpieError(error));
      return;
    }
    for (const frame of frames) {
      // a frame earlier in this chunk may have closed the connection
      if (isClosing()) return;
      lastHeardMs = clock.now();
      let decoded: DecodedFrame;
      try {
        decoded = decodeFrame(frame, tuning);
      } catch (error) {
        fail(asMagpieError(error));
        return;
      }
      if (isIdlePing(decoded)) {
        bucket.take();
        reply(emptyFrame('PONG'), decoded.requestId);
        continue;
      }
      queue.push(decoded);
    }
    updateReading();
    if (!working && queue.length > 0) {
      working = work().catch(failed);
    }
  }

  /**
   * A heartbeat on a connection with nothing else to do is answered at once, without the queue
   * and its worker: with many idle sessions, heartbeats are most of what the server does. Behind
   * other requests a PING waits its turn, so its PONG still says they are done.
   */
  function isIdlePing(frame: DecodedFrame): boolean {
    return (
      frame.name === 'PING' &&
      phase !== 'hello' &&
      queue.length === 0 &&
      working === undefined &&
      sending.size === 0 &&
      bucket.msUntilToken() === 0
    );
  }

  /** A failure outside any handler (the database, say) closes this connection, never the process. */
  function failed(error: unknown): void {
    log.error({ err: error }, 'connection failed');
    fail(storageUnavailable(error) ?? new MagpieError(ErrorCode.INTERNAL, 'internal error'));
  }

  /**
   * Waits until the request-rate bucket has a token. Requests above the rate are delayed, never
   * refused: refusing one while later ones pass would reorder a client's messages. Reading
   * pauses while the queue is full, so a fast sender is slowed by TCP itself.
   */
  async function rateToken(): Promise<void> {
    for (let wait = bucket.msUntilToken(); wait > 0 && phase !== 'closing'; wait = bucket.msUntilToken()) {
      await new Promise<void>((resolve) => clock.setTimeout(resolve, wait));
    }
    bucket.take();
  }

  /**
   * Handles queued frames in the order sent. A SEND does not wait for the one before it: SENDs
   * join the turn's shared transaction in order (group commit) and take effect in that order when
   * it commits (one refused by its own checks is answered at once, which clients match by request
   * id). Any other request first waits for the SENDs before it, so it sees them.
   */
  async function work(): Promise<void> {
    try {
      for (let next = queue.shift(); next && phase !== 'closing'; next = queue.shift()) {
        // a peer that does not read what it asked for gets no more answers made until it does (or
        // is dropped): reading stopped, and the requests already read wait too
        if (outbound.congested) await outbound.uncongested();
        await rateToken();
        if (isClosing()) break;
        if (phase === 'ready' && next.name === 'SEND') {
          if (sending.size >= tuning.maxQueuedRequests) await Promise.race(sending);
          // a kick or a timeout may have closed the connection meanwhile: nothing more takes effect
          if (isClosing()) break;
          const done: Promise<void> = dispatch(next)
            .catch(failed)
            .finally(() => sending.delete(done));
          sending.add(done);
        } else {
          await allSent();
          if (isClosing()) break;
          await handle(next);
        }
        updateReading();
      }
    } finally {
      working = undefined;
    }
  }

  async function allSent(): Promise<void> {
    while (sending.size > 0) await Promise.all(sending);
  }

  async function handle(frame: DecodedFrame): Promise<void> {
    const id = frame.requestId;
    if (phase === 'hello') return handleHello(frame);
    if (frame.name === 'PING') return reply(emptyFrame('PONG'), id);
    if (frame.name === 'HELLO') return reply(errorFrame(ErrorCode.UNEXPECTED_FRAME, 'HELLO was already sent'), id);
    if (frame.name === 'LOGOUT') {
      reply(bodyFrame('OK', {}), id);
      closeWith(undefined);
      return;
    }
    if (phase === 'login') {
      if (frame.name === 'LOGIN') return handleLogin(frame.body, id);
      if (frame.name === 'AUTH_START') return handleAuthStart(frame.body, id);
      return reply(errorFrame(ErrorCode.NOT_LOGGED_IN, `${frame.name} needs a login first`), id);
    }
    if (frame.name === 'LOGIN' || frame.name === 'AUTH_START') {
      return reply(errorFrame(ErrorCode.ALREADY_LOGGED_IN, 'this connection is logged in'), id);
    }
    await dispatch(frame);
  }

  function handleHello(frame: DecodedFrame): void {
    if (frame.name !== 'HELLO') {
      fail(new MagpieError(ErrorCode.HELLO_REQUIRED, `the first frame must be HELLO, not ${frame.name}`));
      return;
    }
    if (frame.body.major !== PROTOCOL_MAJOR) {
      fail(
        new MagpieError(
          ErrorCode.UNSUPPORTED_VERSION,
          `protocol ${frame.body.major}.${frame.body.minor} is not supported; this server speaks ${PROTOCOL_MAJOR}.${PROTOCOL_MINOR}`,
        ),
      );
      return;
    }
    phase = 'login';
    clientMinor = frame.body.minor;
    const ack = bodyFrame('HELLO_ACK', {
      major: PROTOCOL_MAJOR,
      minor: PROTOCOL_MINOR,
      server: SERVER_NAME,
      maxFrameBytes: tuning.maxFrameBytes,
      maxBodyBytes: tuning.maxBodyBytes,
      compressThresholdBytes: tuning.compressThresholdBytes,
      loginTimeoutMs: tuning.loginTimeoutMs,
    });
    reply(ack, frame.requestId);
  }

  function handleAuthStart(body: pb.AuthStart, requestId: number | undefined): void {
    challenge = undefined;
    try {
      challenge = deps.authenticator.challenge(body);
    } catch (error) {
      if (!isMagpieError(error)) log.error({ err: error }, 'auth start failed unexpectedly');
      const failure = asMagpieError(error, ErrorCode.INTERNAL);
      reply(errorFrame(failure.code, failure.message), requestId);
      return;
    }
    reply(bodyFrame('AUTH_CHALLENGE', challenge.reply), requestId);
  }

  function handleLogin(body: pb.Login, requestId: number | undefined): void {
    let who;
    // a challenge answers one LOGIN only, so a proof cannot be replayed on this connection
    const pending = challenge;
    challenge = undefined;
    try {
      who = deps.authenticator.login(body, socket.remoteAddress ?? 'unknown', pending);
    } catch (error) {
      const storage = storageUnavailable(error);
      if (!isMagpieError(error) && !storage) log.error({ err: error }, 'login failed unexpectedly');
      const failure = storage ?? asMagpieError(error, ErrorCode.INTERNAL);
      reply(errorFrame(failure.code, failure.message), requestId);
      return;
    }
    if (phase !== 'login') return;
    const head = deps.inboxHead(who.appId, who.userId, clientMinor);
    const candidate: Caller = {
      sessionId: randomBytes(8).toString('hex'),
      appId: who.appId,
      userId: who.userId,
      device: body.device,
      deviceId: body.deviceId,
      protocolMinor: clientMinor,
    };
    const loggingIn: Session = {
      caller: candidate,
      address: socket.remoteAddress ?? 'unknown',
      send,
      sendEncoded: (bytes) => {
        if (phase !== 'closing') outbound.sendEncoded(bytes);
      },
      kick: (code, reason, byDevice) => closeWith(bodyFrame('KICKED', { code, reason, byDevice })),
    };
    try {
      sessions.add(loggingIn, body.mode);
    } catch (error) {
      // over a session cap: refused like a failed login, and the socket may try again later
      const refusal = asMagpieError(error, ErrorCode.INTERNAL);
      log.info({ appId: who.appId, userId: who.userId, code: refusal.code }, 'login refused: session limit');
      reply(errorFrame(refusal.code, refusal.message), requestId);
      return;
    }
    caller = candidate;
    session = loggingIn;
    phase = 'ready';
    deps.onLoggedIn?.();
    if (loginTimer) clock.clearTimeout(loginTimer);
    loginTimer = undefined;
    scheduleIdleCheck(tuning.idleTimeoutMs);
    log.info({ appId: who.appId, userId: who.userId, device: body.device, sessionId: caller.sessionId }, 'logged in');
    const result = bodyFrame('LOGIN_RESULT', {
      userId: who.userId,
      nickname: who.nickname,
      serverTimeMs: BigInt(clock.now()),
      idleTimeoutMs: tuning.idleTimeoutMs,
      maxSeq: BigInt(head.maxSeq),
      confirmedSeq: BigInt(head.confirmedSeq),
      sessionId: caller.sessionId,
      appId: who.appId,
      ...(who.serverSignature ? { serverSignature: who.serverSignature } : {}),
      limits: loginLimits(tuning),
      ...deps.loginExtras?.(who.appId, who.userId),
    });
    reply(result, requestId);
  }

  async function dispatch(frame: DecodedFrame): Promise<void> {
    const handler = deps.handlers[frame.name] as Handler<typeof frame.name> | undefined;
    const id = frame.requestId;
    if (!handler) return reply(errorFrame(ErrorCode.UNEXPECTED_FRAME, `a client does not send ${frame.name}`), id);
    try {
      const answer = await handler({ caller: caller!, body: frame.body as never, requestId: id });
      // a frame sent without a request id (CONFIRM, TYPING) wants no answer
      if (answer && id !== undefined) reply(answer, id);
    } catch (thrown) {
      // a full or failing disk is answered with its own code: the client retries later
      const error = storageUnavailable(thrown) ?? thrown;
      if (isMagpieError(error)) {
        if (id !== undefined) reply(errorFrame(error.code, error.message, undefined, error.tooLarge), id);
        else log.debug({ code: error.code, frame: frame.name }, 'request without id failed');
        return;
      }
      log.error({ err: error, frame: frame.name }, 'handler failed');
      if (id !== undefined) reply(errorFrame(ErrorCode.INTERNAL, 'internal server error'), id);
    }
  }

  socket.on('data', onData);
  socket.on('error', (error) => log.debug({ err: error }, 'socket error'));
  socket.on('close', () => {
    phase = 'closing';
    stopTimers();
    clearTimeout(lingerTimer);
    outbound.dispose();
    if (session) sessions.remove(session);
    queue.length = 0;
    deps.onClosed(connection);
    resolveClosed();
  });

  const connection: Connection = {
    get caller() {
      return caller;
    },
    async shutdown(code, reason) {
      if (phase === 'closing') return;
      stopping = true;
      socket.pause();
      // the requests already read are finished; new ones are not read any more
      while (working) await working;
      await allSent();
      closeWith(errorFrame(code, reason));
    },
    destroy() {
      socket.destroy();
    },
    closed,
  };
  return connection;
}

function asMagpieError(error: unknown, fallback: number = ErrorCode.MALFORMED_FRAME): MagpieError {
  if (isMagpieError(error)) return error;
  // a failure of the server's own (a login that threw) is no fault of the client's frame
  const message = fallback === ErrorCode.INTERNAL ? 'internal server error' : 'undecodable frame';
  return new MagpieError(fallback, message, { cause: error });
}
