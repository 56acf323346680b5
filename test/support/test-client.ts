import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { MessageInitShape } from '@bufbuild/protobuf';
import { randomBytes } from 'node:crypto';
import {
  authMessage,
  bodyFrame,
  clientProof,
  passwordKeys,
  saltPassword,
  serverSignature,
  signatureMatches,
  decodeFrame,
  emptyFrame,
  encodeFrame,
  FrameDecoder,
  MagpieError,
  sizeRefusalFromWire,
  pb,
  PROTOCOL_MAJOR,
  PROTOCOL_MINOR,
  type BodyFrameName,
  type DecodedFrame,
  type Frame,
  type FrameBody,
  type FrameName,
  type frameBodySchemas,
} from '../../protocol';

/**
 * A small promise-based Magpie client over a real socket, for integration tests. Requests are
 * matched to replies by request id; frames without one (pushes) wait in `pushes` until taken with
 * waitFor(). An ERROR reply rejects the request with a MagpieError carrying its code.
 */
export type BodyInit<N extends BodyFrameName> = MessageInitShape<(typeof frameBodySchemas)[N]>;
export type LoginOptions = Partial<Pick<pb.Login, 'device' | 'mode' | 'deviceId'>>;

const LIMITS = { maxBodyBytes: 16 * 1024 * 1024 };
const DEFAULT_WAIT_MS = 5_000;

export interface ConnectOptions {
  readonly host?: string;
  /** Connect with TLS; the test's self-signed certificate is accepted. */
  readonly tls?: boolean;
  /** The source address, e.g. another 127.x.y.z to appear as another host. */
  readonly localAddress?: string;
}

export class TestClient {
  /** Frames received without a request id, oldest first, not yet taken by waitFor(). */
  readonly pushes: DecodedFrame[] = [];
  /** Resolves when the socket has closed, with the last ERROR or KICKED pushed before it, if any. */
  readonly closed: Promise<void>;
  isClosed = false;
  private readonly decoder = new FrameDecoder({ maxFrameBytes: 64 * 1024 * 1024 });
  private readonly pending = new Map<number, { resolve(frame: DecodedFrame): void; reject(error: Error): void }>();
  private readonly waiters = new Set<{ match(frame: DecodedFrame): boolean; resolve(frame: DecodedFrame): void }>();
  private nextRequestId = 1;

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.on('close', () => {
        this.isClosed = true;
        for (const { reject } of this.pending.values()) reject(new Error('connection closed'));
        this.pending.clear();
        resolve();
      }),
    );
  }

  static connect(port: number, options: ConnectOptions = {}): Promise<TestClient> {
    const host = options.host ?? '127.0.0.1';
    return new Promise((resolve, reject) => {
      const socket = options.tls
        ? tlsConnect({ port, host, rejectUnauthorized: false, ...(options.localAddress ? { localAddress: options.localAddress } : {}) }, () => resolve(new TestClient(socket)))
        : netConnect({ port, host, ...(options.localAddress ? { localAddress: options.localAddress } : {}) }, () => resolve(new TestClient(socket)));
      socket.once('error', reject);
    });
  }

  /** Sends HELLO and returns the HELLO_ACK. */
  async hello(major = PROTOCOL_MAJOR, minor = PROTOCOL_MINOR): Promise<pb.HelloAck> {
    return this.ask('HELLO', { major, minor, client: 'magpie-test-client' }, 'HELLO_ACK');
  }

  login(body: BodyInit<'LOGIN'>): Promise<pb.LoginResult> {
    return this.ask('LOGIN', body, 'LOGIN_RESULT');
  }

  /**
   * A password login as the real client does it: AUTH_START, LOGIN with a proof of the password,
   * and a check of the server's signature (docs/protocol.md "Password login").
   */
  async loginWithPassword(voipAccount: string, voipPwd: string, options: LoginOptions & { appId?: string } = {}): Promise<pb.LoginResult> {
    const appId = options.appId ?? '';
    const clientNonce = randomBytes(24);
    const challenge = await this.ask('AUTH_START', { appId, user: voipAccount, clientNonce }, 'AUTH_CHALLENGE');
    const params = { N: challenge.scryptN, r: challenge.scryptR, p: challenge.scryptP };
    const keys = passwordKeys(await saltPassword(voipPwd, challenge.salt, params));
    const message = authMessage({ appId, user: voipAccount, clientNonce, serverNonce: challenge.serverNonce, salt: challenge.salt, params });
    const result = await this.login({ auth: pb.AuthType.PASSWORD, user: voipAccount, clientProof: clientProof(keys, message), ...options, appId });
    if (!signatureMatches(serverSignature(keys.serverKey, message), result.serverSignature)) {
      throw new Error('the server signature does not match');
    }
    return result;
  }

  loginWithAppToken(appId: string, appToken: string, userId: string, options: LoginOptions = {}): Promise<pb.LoginResult> {
    return this.login({ auth: pb.AuthType.APP_TOKEN, appId, user: userId, secret: appToken, ...options });
  }

  /** Sends a request and resolves with its reply; an ERROR reply rejects with a MagpieError. */
  request<N extends BodyFrameName>(name: N, body: BodyInit<N>): Promise<DecodedFrame> {
    const requestId = this.nextRequestId++;
    return this.exchange(bodyFrame(name, body, { requestId }), requestId);
  }

  /** Like request(), checking that the reply is the frame named and returning its body. */
  async ask<N extends BodyFrameName, R extends FrameName>(name: N, body: BodyInit<N>, replyName: R): Promise<FrameBody<R>> {
    const reply = await this.request(name, body);
    if (reply.name !== replyName) throw new Error(`expected ${replyName}, got ${reply.name}`);
    return reply.body as FrameBody<R>;
  }

  /** PING with a request id; resolves on the PONG. */
  async ping(): Promise<void> {
    const requestId = this.nextRequestId++;
    await this.exchange(emptyFrame('PING', { requestId }), requestId);
  }

  /** Sends a frame as it is (a push, a transient frame, or something broken on purpose). */
  sendFrame(frame: Frame): void {
    this.socket.write(encodeFrame(frame));
  }

  sendBytes(bytes: Uint8Array): void {
    this.socket.write(bytes);
  }

  /** Takes the first push (already received or still to come) that matches. */
  waitFor(match: (frame: DecodedFrame) => boolean, timeoutMs = DEFAULT_WAIT_MS): Promise<DecodedFrame> {
    const index = this.pushes.findIndex(match);
    if (index >= 0) return Promise.resolve(this.pushes.splice(index, 1)[0]!);
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (frame: DecodedFrame) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(frame);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no matching push within ${timeoutMs} ms; pushes: ${this.pushes.map((f) => f.name).join(', ')}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Takes the first push of the given frame type and returns its body. */
  async waitForPush<N extends FrameName>(name: N, timeoutMs = DEFAULT_WAIT_MS): Promise<FrameBody<N>> {
    const frame = await this.waitFor((f) => f.name === name, timeoutMs);
    return frame.body as FrameBody<N>;
  }

  /** Resolves when the server closes the socket; rejects if it stays open past the timeout. */
  async waitClosed(timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`socket still open after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    if (!this.isClosed) this.socket.destroy();
    await this.closed;
  }

  private exchange(frame: Frame, requestId: number): Promise<DecodedFrame> {
    return new Promise((resolve, reject) => {
      if (this.isClosed) {
        reject(new Error('connection closed'));
        return;
      }
      this.pending.set(requestId, { resolve, reject });
      this.socket.write(encodeFrame(frame));
    });
  }

  private onData(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.decoder.push(chunk);
    } catch {
      this.socket.destroy();
      return;
    }
    for (const frame of frames) {
      const decoded = decodeFrame(frame, LIMITS);
      const waiting = decoded.requestId === undefined ? undefined : this.pending.get(decoded.requestId);
      if (waiting) {
        this.pending.delete(decoded.requestId!);
        if (decoded.name === 'ERROR') {
          const tooLarge = sizeRefusalFromWire(decoded.body);
          waiting.reject(new MagpieError(decoded.body.code, decoded.body.message, tooLarge ? { tooLarge } : undefined));
        }
        else waiting.resolve(decoded);
        continue;
      }
      const waiter = [...this.waiters].find((w) => w.match(decoded));
      if (waiter) waiter.resolve(decoded);
      else this.pushes.push(decoded);
    }
  }
}

/** The signed login's HMAC form, as an app server computes it. */
export { hmacLoginSignature, md5LoginSignature, formatCompactTimestamp } from '../../server/auth/signature';
