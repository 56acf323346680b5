import type { MessageInitShape } from '@bufbuild/protobuf';
import { pb, type DecodedFrame, type FrameBody } from '../../../protocol';
import { TestClient, type LoginOptions } from '../../support/test-client';
import { startTestServer, type TestServer, type TestServerOptions } from '../../support/test-server';

/**
 * A real server and logged-in test clients for the chat, sync and group tests. Users log in with
 * the app token, so any valid user id works.
 */
export interface ChatWorld {
  readonly server: TestServer;
  /** Connects and logs in a user (one more session when called again with another device). */
  login(userId: string, options?: LoginOptions): Promise<Session>;
  close(): Promise<void>;
}

export interface Session {
  readonly userId: string;
  readonly client: TestClient;
  readonly login: pb.LoginResult;
  send(body: MessageInitShape<typeof pb.SendSchema>): Promise<pb.Sent>;
  text(to: string, words: string, n: number, extra?: Partial<MessageInitShape<typeof pb.SendSchema>>): Promise<pb.Sent>;
  group(op: MessageInitShape<typeof pb.GroupRequestSchema>['op']): Promise<pb.GroupResult['result']>;
  /**
   * Every inbox entry after a seq, by SYNC pages, then every entry of the user's group timelines
   * (read-diffused groups) by TIMELINE_SYNC pages, a message met in both kept once, as a client does.
   */
  syncAll(afterSeq?: bigint): Promise<pb.Entry[]>;
  /** The next PUSH whose entry matches. */
  nextPush(match?: (entry: pb.Entry) => boolean, timeoutMs?: number): Promise<pb.Entry>;
  close(): Promise<void>;
}

export function clientId(n: number, salt = 0): Uint8Array {
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  view.setUint32(8, salt);
  view.setUint32(12, n);
  return bytes;
}

export function textBody(to: string, words: string, n: number): { clientMsgId: Uint8Array; to: string; type: pb.MessageType; text: string } {
  return { clientMsgId: clientId(n), to, type: pb.MessageType.TEXT, text: words };
}

const isPush = (frame: DecodedFrame): frame is Extract<DecodedFrame, { name: 'PUSH' }> => frame.name === 'PUSH';

export async function openChatWorld(options: TestServerOptions = {}): Promise<ChatWorld> {
  const server = await startTestServer(options);
  const sessions: Session[] = [];
  return {
    server,
    async login(userId, loginOptions = {}) {
      const client = await TestClient.connect(server.port);
      await client.hello();
      const login = await client.loginWithAppToken(server.appId, server.appToken, userId, loginOptions);
      const session = sessionOf(userId, client, login);
      sessions.push(session);
      return session;
    },
    async close() {
      await Promise.all(sessions.map((s) => s.close()));
      await server.stop();
    },
  };
}

export function sessionOf(userId: string, client: TestClient, login: pb.LoginResult): Session {
  const session: Session = {
    userId,
    client,
    login,
    send: (body) => client.ask('SEND', body, 'SENT'),
    text: (to, words, n, extra = {}) =>
      client.ask('SEND', { ...textBody(to, words, n), ...extra } as MessageInitShape<typeof pb.SendSchema>, 'SENT'),
    async group(op) {
      const result: FrameBody<'GROUP_RESULT'> = await client.ask('GROUP', { op }, 'GROUP_RESULT');
      return result.result;
    },
    async syncAll(afterSeq = 0n) {
      const entries: pb.Entry[] = [];
      let after = afterSeq;
      for (;;) {
        const page = await client.ask('SYNC', { afterSeq: after, limit: 200 }, 'SYNC_PAGE');
        entries.push(...page.entries);
        if (page.entries.length > 0) after = page.entries.at(-1)!.seq;
        if (!page.more) break;
      }
      const seen = new Set(entries.flatMap((e) => (e.item.case === 'message' ? [e.item.value.msgId] : [])));
      const cursors = new Map<string, bigint>();
      for (;;) {
        const cursorList = [...cursors].map(([groupId, seq]) => ({ groupId, seq }));
        const page = await client.ask('TIMELINE_SYNC', { cursors: cursorList, limit: 200 }, 'TIMELINE_PAGE');
        for (const slice of page.slices) {
          for (const entry of slice.entries) {
            if (entry.item.case === 'message' && seen.has(entry.item.value.msgId)) continue;
            entries.push(entry);
          }
          cursors.set(slice.groupId, slice.more ? slice.entries.at(-1)!.seq : slice.maxSeq);
        }
        if (!page.more) return entries;
      }
    },
    async nextPush(match = () => true, timeoutMs) {
      const frame = await client.waitFor((f) => isPush(f) && match(f.body), timeoutMs);
      return frame.body as pb.Entry;
    },
    close: () => client.close(),
  };
  return session;
}

export const isNotice =
  (kind: pb.NoticeKind) =>
  (entry: pb.Entry): boolean =>
    entry.item.case === 'notice' && entry.item.value.kind === kind;

/** The existing group tests run in both modes: every group write-diffused, and read-diffused from 2 members on. */
export const DIFFUSION_MODES: readonly (readonly [string, number])[] = [
  ['write diffusion', Infinity],
  ['read diffusion from 2 members', 2],
];

export const isMessage = (entry: pb.Entry): boolean => entry.item.case === 'message';
