import { connect, type Socket } from 'node:net';
import { readPush } from './push-reader';
import type { MessageInitShape } from '@bufbuild/protobuf';
import {
  bodyFrame,
  decodeFrame,
  emptyFrame,
  encodeFrame,
  FrameDecoder,
  FrameType,
  newClientMsgId,
  pb,
  PROTOCOL_MAJOR,
  PROTOCOL_MINOR,
  type BodyFrameName,
  type DecodedFrame,
  type frameBodySchemas,
} from '../../protocol';

type BodyInit<N extends BodyFrameName> = MessageInitShape<(typeof frameBodySchemas)[N]>;
const LIMITS = { maxBodyBytes: 16 * 1024 * 1024 };

export interface WireClientOptions {
  readonly host?: string;
  /** A source address inside 127.0.0.0/8, to get past one address's ephemeral ports. */
  readonly localAddress?: string;
  /** Coalesce CONFIRMs of pushed entries over this long, as the desktop client does (200 ms); undefined: never confirm. */
  readonly confirmDelayMs?: number;
  /** Coalesce TIMELINE_CONFIRMs over this long (the desktop client: 2,000 ms); default confirmDelayMs. */
  readonly timelineConfirmDelayMs?: number;
}

/**
 * A lean Magpie client for benchmarks: raw frames over one socket, replies matched by request id,
 * pushes handed to onPush as they arrive (no queue, so a burst of 10,000 costs nothing extra).
 */
export class WireClient {
  onPush: (frame: DecodedFrame) => void = () => undefined;
  /**
   * Set: PUSH frames are read for their seq, group and text only (push-reader.ts) and handed here
   * instead of to onPush, so that many receivers in one process cost it little.
   */
  onPushedText: ((text: string | undefined) => void) | undefined;
  readonly closed: Promise<void>;
  private readonly decoder = new FrameDecoder({ maxFrameBytes: 64 * 1024 * 1024 });
  private readonly pending = new Map<number, (frame: DecodedFrame) => void>();
  private nextRequestId = 1;
  private confirmTimer: NodeJS.Timeout | undefined;
  private timelineConfirmTimer: NodeJS.Timeout | undefined;
  private highestSeq = 0n;
  /** A large group's timeline entries are confirmed per timeline (protocol 2.1). */
  private readonly timelineSeqs = new Map<string, bigint>();
  private timelinesToConfirm = false;

  private constructor(
    readonly socket: Socket,
    private readonly confirmDelayMs: number | undefined,
    private readonly timelineConfirmDelayMs: number | undefined = confirmDelayMs,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  static connect(port: number, options: WireClientOptions = {}): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host: options.host ?? '127.0.0.1', ...(options.localAddress ? { localAddress: options.localAddress } : {}) }, () => {
        socket.off('error', reject);
        resolve(new WireClient(socket, options.confirmDelayMs, options.timelineConfirmDelayMs ?? options.confirmDelayMs));
      });
      socket.once('error', reject);
    });
  }

  /** Connects, says HELLO and logs in with the app token; rejects on any ERROR. */
  static async login(port: number, appId: string, appToken: string, userId: string, options: WireClientOptions = {}): Promise<WireClient> {
    const client = await WireClient.connect(port, options);
    try {
      await client.ask('HELLO', { major: PROTOCOL_MAJOR, minor: PROTOCOL_MINOR, client: 'magpie-bench' });
      await client.ask('LOGIN', { auth: pb.AuthType.APP_TOKEN, appId, user: userId, secret: appToken });
    } catch (error) {
      client.socket.destroy();
      throw error;
    }
    return client;
  }

  /** Sends a request; the reply (an ERROR included) goes to onReply. */
  fire<N extends BodyFrameName>(name: N, body: BodyInit<N>, onReply: (frame: DecodedFrame) => void = () => undefined): void {
    const requestId = this.nextRequestId++;
    this.pending.set(requestId, onReply);
    this.socket.write(encodeFrame(bodyFrame(name, body, { requestId })));
  }

  /** Sends a request and resolves with its reply; an ERROR rejects. */
  ask<N extends BodyFrameName>(name: N, body: BodyInit<N>): Promise<DecodedFrame> {
    return new Promise((resolve, reject) =>
      this.fire(name, body, (reply) => {
        if (reply.name === 'ERROR') reject(new Error(`${name} failed: ${reply.body.code} ${reply.body.message}`));
        else resolve(reply);
      }),
    );
  }

  /** A text message to a user or a group; onSent gets the SENT (or ERROR). */
  sendText(to: string, text: string, onSent?: (frame: DecodedFrame) => void): void {
    this.fire('SEND', { clientMsgId: newClientMsgId(Date.now()), to, text }, onSent);
  }

  ping(onPong: () => void): void {
    const requestId = this.nextRequestId++;
    this.pending.set(requestId, onPong);
    this.socket.write(encodeFrame(emptyFrame('PING', { requestId })));
  }

  /** A PING without request id, as an idle client's heartbeat (the smallest frame). */
  heartbeat(): void {
    this.socket.write(encodeFrame(emptyFrame('PING')));
  }

  close(): Promise<void> {
    clearTimeout(this.confirmTimer);
    clearTimeout(this.timelineConfirmTimer);
    this.socket.destroy();
    return this.closed;
  }

  private onData(chunk: Buffer): void {
    for (const frame of this.decoder.push(chunk)) {
      if (this.onPushedText !== undefined && frame.type === FrameType.PUSH && !frame.compressed && frame.requestId === undefined) {
        const push = readPush(frame.body);
        this.noteSeq(BigInt(push.seq), push.groupId);
        this.onPushedText(push.text);
        continue;
      }
      const decoded = decodeFrame(frame, LIMITS);
      const waiting = decoded.requestId === undefined ? undefined : this.pending.get(decoded.requestId);
      if (waiting) {
        this.pending.delete(decoded.requestId!);
        waiting(decoded);
        continue;
      }
      if (decoded.name === 'PUSH') this.noteSeq(decoded.body.seq, decoded.body.groupId);
      this.onPush(decoded);
    }
  }

  private noteSeq(seq: bigint, groupId: string): void {
    if (this.confirmDelayMs === undefined) return;
    if (groupId !== '') {
      if (seq <= (this.timelineSeqs.get(groupId) ?? 0n)) return;
      this.timelineSeqs.set(groupId, seq);
      this.timelinesToConfirm = true;
      this.timelineConfirmTimer ??= setTimeout(() => {
        this.timelineConfirmTimer = undefined;
        if (this.socket.destroyed || !this.timelinesToConfirm) return;
        const cursors = [...this.timelineSeqs].map(([id, at]) => ({ groupId: id, seq: at }));
        this.socket.write(encodeFrame(bodyFrame('TIMELINE_CONFIRM', { cursors })));
        this.timelinesToConfirm = false;
      }, this.timelineConfirmDelayMs);
      return;
    }
    if (seq <= this.highestSeq) return;
    this.highestSeq = seq;
    this.confirmTimer ??= setTimeout(() => {
      this.confirmTimer = undefined;
      if (this.socket.destroyed) return;
      this.socket.write(encodeFrame(bodyFrame('CONFIRM', { seq: this.highestSeq })));
    }, this.confirmDelayMs);
  }
}

/** The text of a pushed message, or undefined for any other frame. */
export function pushedText(frame: DecodedFrame): string | undefined {
  if (frame.name !== 'PUSH') return undefined;
  const item = frame.body.item;
  return item.case === 'message' ? item.value.text : undefined;
}
