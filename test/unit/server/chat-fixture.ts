import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqlDatabase } from '../../../server/storage/sql-database';
import { create, type DescMessage, type MessageInitShape } from '@bufbuild/protobuf';
import {
  decodeFrame,
  DEFAULT_WIRE_LIMITS,
  frameBodySchemas,
  ManualClock,
  pb,
  type BodyFrameName,
  type FrameBody,
  type FrameName,
  type DecodedFrame,
  type Frame,
} from '../../../protocol';
import { createChatService, type ChatService } from '../../../server/chat';
import { createGroupService, type GroupService } from '../../../server/groups';
import type { Caller, Delivery, HandlerTable } from '../../../server/handler-types';
import { createUserStore, type UserStore } from '../../../server/identity/users';
import { createSilentLogger } from '../../../server/logger';
import { openDatabase } from '../../../server/storage/database';
import { runMigrations } from '../../../server/storage/migrate';
import { migrations } from '../../../server/storage/migrations';

export const APP = 'app0000000000000000000000000001';

/** A Delivery that records what it would push, for the users the test marks online. */
export class RecordingDelivery implements Delivery {
  readonly sent: { userId: string; frame: DecodedFrame; exceptSessionId: string | undefined }[] = [];
  /** Every frame as the server would write it, before decoding (its COMPRESSED flag included). */
  readonly raw: Frame[] = [];
  private readonly online = new Map<string, string[]>();

  connect(userId: string, sessionId: string): void {
    this.online.set(userId, [...(this.online.get(userId) ?? []), sessionId]);
  }

  toUser(_appId: string, userId: string, frame: Frame, exceptSessionId?: string): number {
    this.raw.push(frame);
    const sessions = (this.online.get(userId) ?? []).filter((s) => s !== exceptSessionId);
    if (sessions.length > 0) this.sent.push({ userId, frame: decodeFrame(frame, DEFAULT_WIRE_LIMITS), exceptSessionId });
    return sessions.length;
  }

  isOnline(_appId: string, userId: string): boolean {
    return (this.online.get(userId)?.length ?? 0) > 0;
  }

  /** What one user was pushed, oldest first, and forget it. */
  take(userId: string): DecodedFrame[] {
    const mine = this.sent.filter((s) => s.userId === userId).map((s) => s.frame);
    this.sent.splice(0, this.sent.length, ...this.sent.filter((s) => s.userId !== userId));
    return mine;
  }
}

/** The chat and group services on a real SQLite file in a temp folder, with a manual clock. */
export interface ChatFixture {
  readonly db: SqlDatabase;
  readonly clock: ManualClock;
  readonly delivery: RecordingDelivery;
  readonly chat: ChatService;
  readonly groups: GroupService;
  readonly users: UserStore;
  /** Calls a handler as `userId` (on session `${userId}-1`, or the caller given) and decodes its answer. */
  call<N extends BodyFrameName>(user: string | Caller, name: N, body: MessageInitShape<(typeof frameBodySchemas)[N]>): Promise<DecodedFrame | undefined>;
  caller(userId: string, session?: string): Caller;
  close(): void;
}

export function createChatFixture(
  options: { revokeWindowMs?: number; contentBytesPerSecond?: number; contentBurstBytes?: number; groupTimelineThreshold?: number } = {},
): ChatFixture {
  const dir = mkdtempSync(join(tmpdir(), 'magpie-chat-'));
  const db = openDatabase(dir, { busyTimeoutMs: 1000 });
  runMigrations(db, migrations);
  db.prepare("INSERT INTO accounts (account_sid, auth_token_hash, created_ms) VALUES ('acc', 'x', 0)").run();
  db.prepare("INSERT INTO apps (app_id, account_sid, name, app_token_sealed, state, created_ms) VALUES (?, 'acc', 'app', 'x', 'online', 0)").run(APP);
  const clock = new ManualClock(1_700_000_000_000);
  const delivery = new RecordingDelivery();
  const users = createUserStore({ db, clock });
  const deps = { db, clock, log: createSilentLogger(), delivery, ensureUser: users.ensureUser.bind(users), ...options };
  const chat = createChatService(deps);
  const groups = createGroupService(deps);
  const handlers: HandlerTable = { ...chat.handlers, ...groups.handlers };
  const caller = (userId: string, session = `${userId}-1`): Caller => ({
    sessionId: session,
    appId: APP,
    userId,
    device: 0,
    deviceId: session,
  });
  return {
    db,
    clock,
    delivery,
    chat,
    groups,
    users,
    caller,
    async call(user, name, body) {
      const handler = handlers[name] as (call: { caller: Caller; body: unknown; requestId?: number }) => Frame | undefined | Promise<Frame | undefined>;
      const schema = frameBodySchemas[name] as DescMessage;
      const message = create(schema, body as MessageInitShape<DescMessage>);
      const reply = await handler({ caller: typeof user === 'string' ? caller(user) : user, body: message, requestId: 1 });
      return reply === undefined ? undefined : decodeFrame(reply, DEFAULT_WIRE_LIMITS);
    },
    close() {
      db.close();
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}

/** 16 bytes that name one message of a test: the same n gives the same id. */
export function clientId(n: number): Uint8Array {
  const bytes = new Uint8Array(16);
  new DataView(bytes.buffer).setUint32(12, n);
  bytes[0] = 0x4d;
  return bytes;
}

/** The body of a SEND carrying text. */
export function text(to: string, words: string, n: number): MessageInitShape<typeof pb.SendSchema> {
  return { clientMsgId: clientId(n), to, type: pb.MessageType.TEXT, text: words };
}

/** The body of a frame the test knows the name of. */
export function bodyOf<N extends FrameName>(frame: DecodedFrame | undefined, name: N): FrameBody<N> {
  if (frame?.name !== name) throw new Error(`expected ${name}, got ${frame?.name ?? 'nothing'}`);
  return frame.body as FrameBody<N>;
}

/** Creates a group owned by `owner` with `members` added at once; returns its id. */
export async function makeGroup(
  f: ChatFixture,
  owner: string,
  members: string[],
  options: Partial<Pick<pb.CreateGroup, 'mode' | 'type' | 'inviteConfirm' | 'name'>> = {},
): Promise<string> {
  const reply = await f.call(owner, 'GROUP', { op: { case: 'create', value: { name: 'team', members, ...options } } });
  const result = bodyOf(reply, 'GROUP_RESULT').result;
  if (result.case !== 'group') throw new Error('create answered no group');
  // listings order groups by creation time: keep the order the test created them in
  f.clock.advance(1);
  return result.value.groupId;
}

/** Pulls a user's whole inbox after a seq through SYNC. */
export async function syncAll(f: ChatFixture, userId: string, afterSeq = 0): Promise<pb.Entry[]> {
  const entries: pb.Entry[] = [];
  let after = BigInt(afterSeq);
  for (;;) {
    const page = bodyOf(await f.call(userId, 'SYNC', { afterSeq: after, limit: 200 }), 'SYNC_PAGE');
    entries.push(...page.entries);
    if (page.entries.length > 0) after = page.entries.at(-1)!.seq;
    if (!page.more) return entries;
  }
}
