import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { create, toBinary } from '@bufbuild/protobuf';
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConnectionStateName } from '../../main/engine/client-connection';
import { ErrorCode, FrameType, pb, type DecodedFrame } from '../../protocol';
import { TestClient } from '../support/test-client';
import { createClientPool, sleep, targetOf, waitUntil } from './support/client-pool';
import { startServerProcess, type ServerProcess } from './support/server-process';

/**
 * Attacks on message content (docs/reliability.md, "Security: message content"), each against the
 * shipped server (the bin, default tuning) from one ordinary user of the demo app.
 */

let nextId = 1;
const clientMsgId = (): Uint8Array => {
  const id = randomBytes(16);
  new DataView(id.buffer, id.byteOffset).setUint32(12, nextId++);
  return id;
};

/**
 * A SEND of about 1 KiB deflated that carries a megabyte of fields the protocol does not name, in
 * its location part (or its media part: a media SEND must also name a finished upload of its own).
 */
function unknownFieldsSend(to: string, requestId: number, part: 'location' | 'media' = 'location'): { type: number; compressed: boolean; body: Uint8Array; requestId: number } {
  const known =
    part === 'media'
      ? toBinary(pb.MediaSchema, create(pb.MediaSchema, { fileId: 'f', name: 'x.png', size: 1n }))
      : toBinary(pb.LocationSchema, create(pb.LocationSchema, { latitude: 31.23, longitude: 121.47, title: 'here' }));
  const padded = new BinaryWriter().raw(known).tag(1000, WireType.LengthDelimited).bytes(new Uint8Array(1000 * 1024)).finish();
  const type = part === 'media' ? pb.MessageType.IMAGE : pb.MessageType.LOCATION;
  const head = toBinary(pb.SendSchema, create(pb.SendSchema, { clientMsgId: clientMsgId(), to, type }));
  const body = new BinaryWriter().raw(head).tag(part === 'media' ? 7 : 8, WireType.LengthDelimited).bytes(padded).finish();
  return { type: FrameType.SEND, compressed: true, body: deflateRawSync(body), requestId };
}

/** The largest SEND the limits allow, incompressible. */
const maximalSend = (to: string) => ({
  clientMsgId: clientMsgId(),
  to,
  type: pb.MessageType.CUSTOM,
  text: '鹊'.repeat(5_000),
  custom: { command: 'blob', payload: randomBytes(16 * 1024) },
});

async function folderBytes(dir: string): Promise<number> {
  const names = await readdir(dir);
  const sizes = await Promise.all(names.map(async (name) => (await stat(join(dir, name))).size));
  return sizes.reduce((a, b) => a + b, 0);
}

describe('message content attacks on the shipped server', () => {
  const pool = createClientPool();
  const raw: TestClient[] = [];
  let server: ServerProcess | undefined;
  let dataDir: string | undefined;

  // one server for every attack: each uses users of its own
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'magpie-reliability-server-'));
    server = await startServerProcess({ dataDir });
  }, 30_000);

  afterEach(async () => {
    await Promise.all(raw.splice(0).map((c) => c.close()));
    await pool.cleanup();
  });

  afterAll(async () => {
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true, maxRetries: 5 });
  });

  async function rawUser(user: string): Promise<TestClient> {
    const client = await TestClient.connect(server!.port);
    raw.push(client);
    await client.hello();
    await client.loginWithAppToken(server!.credentials.appId, server!.credentials.appToken, user);
    return client;
  }

  /** Sends a raw frame with a request id and waits for its answer. */
  async function answerTo(client: TestClient, frame: ReturnType<typeof unknownFieldsSend>): Promise<DecodedFrame> {
    client.sendFrame(frame);
    return client.waitFor((f) => f.requestId === frame.requestId, 20_000);
  }

  it('one SEND with a megabyte of unknown fields neither bricks its recipient nor hides what comes after', { timeout: 60_000 }, async () => {
    const mallory = await rawUser('mallory1');
    const answer = await answerTo(mallory, unknownFieldsSend('bob1', 1_000));
    // the unknown fields are dropped: what is stored is an ordinary location message
    expect(answer.name).toBe('SENT');
    // in a media part they never get that far: no finished upload of mallory's is named
    const media = await answerTo(mallory, unknownFieldsSend('bob1', 1_001, 'media'));
    expect(media.name === 'ERROR' ? media.body.code : media.name).toBe(ErrorCode.UPLOAD_NOT_FOUND);
    await mallory.ask('SEND', { clientMsgId: clientMsgId(), to: 'bob1', type: pb.MessageType.TEXT, text: 'newer' }, 'SENT');

    const bob = await pool.client(targetOf(server!), { user: 'bob1' });
    const states: ConnectionStateName[] = [];
    bob.events.on('status', (status) => states.push(status.state));
    await bob.start();
    const texts = (): string[] => (bob.store.db.prepare("SELECT text FROM messages WHERE conversation = 'mallory1' ORDER BY seq").all() as { text: string }[]).map((r) => r.text);
    await waitUntil(() => texts().includes('newer'), 15_000, () => `bob shows the newer message (holds ${JSON.stringify(texts())})`);
    // on main the client dropped the link and reconnected for ever (19 times in 15 s)
    await sleep(1_500);
    expect(states.filter((s) => s === 'reconnecting')).toEqual([]);
  });

  it('200 such frames and maximal messages from one user do not fill the disk', { timeout: 120_000 }, async () => {
    const before = await folderBytes(dataDir!);
    const mallory = await rawUser('mallory2');
    const refused = new Map<number, number>();
    for (let i = 0; i < 100; i += 1) {
      const answer = await answerTo(mallory, unknownFieldsSend('bob2', 10_000 + i));
      if (answer.name === 'ERROR') refused.set(answer.body.code, (refused.get(answer.body.code) ?? 0) + 1);
    }
    for (let i = 0; i < 100; i += 1) {
      const answer = await mallory.request('SEND', maximalSend('bob2')).catch((error: { code: number }) => error);
      if ('code' in answer) refused.set(answer.code, (refused.get(answer.code) ?? 0) + 1);
    }
    const grownBytes = (await folderBytes(dataDir!)) - before;
    // on main: 407 MB from 200 frames; now the sender's budget (2 MiB at once) refuses the rest
    expect(grownBytes).toBeLessThan(16 * 1024 * 1024);
    expect(refused.get(ErrorCode.CONTENT_BUDGET_EXCEEDED) ?? 0).toBeGreaterThan(0);
    expect([...refused.keys()]).toEqual([ErrorCode.CONTENT_BUDGET_EXCEEDED]);
    // another user is not held back by mallory's budget
    const alice = await rawUser('alice2');
    await alice.ask('SEND', maximalSend('bob2'), 'SENT');
  });

  it('a stranger can neither push read receipts into an inbox nor learn ids from them', { timeout: 60_000 }, async () => {
    const alice = await rawUser('alice3');
    const sent = await alice.ask('SEND', { clientMsgId: clientMsgId(), to: 'bob3', type: pb.MessageType.TEXT, text: 'hi' }, 'SENT');
    const mallory = await rawUser('mallory3');
    for (const upToMsgId of [sent.msgId, 1n << 52n]) {
      await expect(mallory.request('READ', { conversation: 'bob3', upToMsgId })).rejects.toMatchObject({ code: ErrorCode.NOT_IN_CONVERSATION });
    }
    const bob = await rawUser('bob3');
    const page = await bob.ask('SYNC', { afterSeq: 0n, limit: 100 }, 'SYNC_PAGE');
    expect(page.entries.map((e) => e.item.case)).toEqual(['message']);
    // bob reading past every message no longer learns the server's newest id
    await expect(bob.request('READ', { conversation: 'alice3', upToMsgId: sent.msgId + (1n << 40n) })).rejects.toMatchObject({
      code: ErrorCode.NOT_IN_CONVERSATION,
    });
  });
});
