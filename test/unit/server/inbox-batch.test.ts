import type { SqlDatabase } from '../../../server/storage/sql-database';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pb } from '../../../protocol';
import { createMessageStore, type MessageStore } from '../../../server/chat/message-store';
import { openDatabase } from '../../../server/storage/database';
import { runMigrations } from '../../../server/storage/migrate';
import { migrations } from '../../../server/storage/migrations';
import { createWriteBatch, type WriteBatch } from '../../../server/storage/write-batch';
import { createInboxStore, type InboxStore } from '../../../server/sync/inbox';

/** The inbox and message stores keep their writes in memory during a write batch (BatchHooks). */
describe('inbox and messages inside a write batch', () => {
  let dir: string;
  let db: SqlDatabase;
  let inbox: InboxStore;
  let messages: MessageStore;
  let batch: WriteBatch;
  let turnEnds: (() => void)[];
  const endTurn = () => turnEnds.splice(0).forEach((run) => run());

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'magpie-inbox-batch-'));
    db = openDatabase(dir, { busyTimeoutMs: 1000 });
    runMigrations(db, migrations);
    inbox = createInboxStore(db);
    messages = createMessageStore(db);
    turnEnds = [];
    batch = createWriteBatch(db, { schedule: (run) => turnEnds.push(run), hooks: [messages.batchHooks, inbox.batchHooks] });
  });
  afterEach(async () => {
    if (db.open) db.close();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  const notice = (text: string) => ({ case: 'notice' as const, value: create(pb.NoticeSchema, { text }) });
  const seqs = (user: string) => db.prepare('SELECT seq FROM inbox WHERE user_id = ? ORDER BY seq').pluck().all(user) as number[];
  const store = (user: string, clientId: number) => () => {
    const existing = messages.byClientId('app', 'alice', new Uint8Array([clientId]));
    if (existing) return existing.msgId;
    const seq = inbox.reserveSeq('app', user);
    const msgId = messages.insert({
      appId: 'app', sender: 'alice', target: user, isGroup: false, type: 1, content: new Uint8Array([1]),
      clientMsgId: new Uint8Array([clientId]), timeMs: 1_000, senderSeq: seq, burn: false,
    });
    inbox.appendAt('app', user, seq, { case: 'message', message: create(pb.MessageSchema, { msgId: BigInt(msgId) }), own: true });
    return msgId;
  };

  it('gives gap-free seqs and writes rows and heads once the batch ends', async () => {
    const done = [1, 2, 3].map((n) => batch.run(() => inbox.append('app', ['bob'], notice(`n${n}`)), (a) => Number(a[0]!.entry.seq)));
    expect(seqs('bob')).toEqual([]);
    endTurn();
    expect(await Promise.all(done)).toEqual([1, 2, 3]);
    expect(seqs('bob')).toEqual([1, 2, 3]);
    expect(inbox.head('app', 'bob').maxSeq).toBe(3);
    // outside a batch the store writes through, on from the head the batch wrote
    expect(Number(inbox.append('app', ['bob'], notice('later'))[0]!.entry.seq)).toBe(4);
  });

  it('leaves no gap when one write of the batch fails: its seq is given to the next', async () => {
    const first = batch.run(() => inbox.append('app', ['bob'], notice('a')), (a) => Number(a[0]!.entry.seq));
    const failing = batch.run(() => {
      inbox.append('app', ['bob'], notice('b'));
      throw new Error('refused');
    }, () => 0);
    const third = batch.run(() => inbox.append('app', ['bob'], notice('c')), (a) => Number(a[0]!.entry.seq));
    endTurn();
    await expect(failing).rejects.toThrow('refused');
    expect([await first, await third]).toEqual([1, 2]);
    expect(seqs('bob')).toEqual([1, 2]);
    expect(inbox.head('app', 'bob').maxSeq).toBe(2);
  });

  it('answers a resend in the same batch with the first message, stored once', async () => {
    const a = batch.run(store('bob', 7), (id) => id);
    const b = batch.run(store('bob', 7), (id) => id);
    endTurn();
    expect(await a).toBe(await b);
    expect(db.prepare('SELECT COUNT(*) FROM messages').pluck().get()).toBe(1);
    expect(seqs('bob')).toEqual([1]);
  });

  it('stores many messages in one batch, ids rising, past one multi-row statement', async () => {
    const ids = Array.from({ length: 150 }, (_, i) => batch.run(store('bob', i), (id) => id));
    endTurn();
    const got = await Promise.all(ids);
    expect([...got].sort((x, y) => x - y)).toEqual(got);
    expect(seqs('bob')).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(messages.byClientId('app', 'alice', new Uint8Array([149]))?.msgId).toBe(got[149]);
  });

  it('lets a read inside the batch see what the batch kept', async () => {
    const seen = batch.run(() => {
      inbox.append('app', ['bob'], notice('x'));
      return inbox.page('app', 'bob', 0, 10, 10_000).entries.length;
    }, (n) => n);
    endTurn();
    expect(await seen).toBe(1);
  });
});
