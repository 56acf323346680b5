import BetterSqlite3 from 'better-sqlite3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pb } from '../../../protocol';
import { createMessageStore, type MessageStore } from '../../../server/chat/message-store';
import { DATABASE_FILE, openDatabase } from '../../../server/storage/database';
import { runMigrations } from '../../../server/storage/migrate';
import { migrations } from '../../../server/storage/migrations';
import type { SqlDatabase } from '../../../server/storage/sql-database';
import { createWriteBatch, type WriteBatch } from '../../../server/storage/write-batch';
import { createInboxStore, type InboxStore } from '../../../server/sync/inbox';

/**
 * Write batches behind a commit window, one lone message each (the serial case): what another
 * connection, another store or a failed batch wrote between two batches is never overwritten or
 * given twice, should a store ever keep heads or the newest id from one batch to the next.
 */
describe('inbox heads and the newest message id over batches in a commit window', () => {
  let dir: string;
  let db: SqlDatabase;
  let inbox: InboxStore;
  let messages: MessageStore;
  let batch: WriteBatch;
  let turnEnds: (() => void)[];
  const endTurn = () => turnEnds.splice(0).forEach((run) => run());

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'magpie-inbox-window-'));
    db = openDatabase(dir, { busyTimeoutMs: 1000, server: { commitWindow: { windowMs: 60_000, gapMs: 0, maxLogBytes: 1 << 30 } } });
    runMigrations(db, migrations);
    inbox = createInboxStore(db);
    messages = createMessageStore(db, { settledSeq: inbox.settledSeq });
    turnEnds = [];
    batch = createWriteBatch(db, { schedule: (run) => turnEnds.push(run), hooks: [messages.batchHooks, inbox.batchHooks] });
  });
  afterEach(async () => {
    if (db.open) db.close();
    await rm(dir, { recursive: true, force: true, maxRetries: 5 });
  });

  const seqs = (user: string) => db.prepare('SELECT seq FROM inbox WHERE user_id = ? ORDER BY seq').pluck().all(user) as number[];
  let clientId = 0;
  /** One message from alice to `to`, as SEND stores it: the sender's seq, the row, both inbox entries. */
  const send = (to: string) => () => {
    const senderSeq = inbox.reserveSeq('app', 'alice');
    const msgId = messages.insert({
      appId: 'app', sender: 'alice', target: to, isGroup: false, type: 1, content: new Uint8Array([1]),
      clientMsgId: new Uint8Array([++clientId]), timeMs: 1_000, senderSeq, burn: false,
    });
    const message = create(pb.MessageSchema, { msgId: BigInt(msgId) });
    const [toOther] = inbox.append('app', [to], { case: 'message', message, own: false });
    inbox.appendAt('app', 'alice', senderSeq, { case: 'message', message, own: true });
    return { msgId, seq: Number(toOther!.entry.seq) };
  };
  const sendOne = async (to: string) => {
    const done = batch.run(send(to), (result) => result);
    endTurn();
    return done;
  };

  it('gives gap-free seqs and rising ids over batches of one window', async () => {
    const got = [];
    for (let i = 0; i < 5; i++) got.push(await sendOne('bob'));
    expect(got.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(got.map((r) => r.msgId)).toEqual([...got.map((r) => r.msgId)].sort((a, b) => a - b));
    expect(seqs('bob')).toEqual([1, 2, 3, 4, 5]);
    expect(seqs('alice')).toEqual([1, 2, 3, 4, 5]);
  });

  it('reads again what another connection wrote in the gap after the window committed', async () => {
    await sendOne('bob');
    db.settle!();
    // an admin command's connection, in the gap: an entry of its own and a message with a far id
    const farId = 2 ** 50;
    const other = new BetterSqlite3(join(dir, DATABASE_FILE));
    try {
      other.prepare("INSERT INTO messages (msg_id, app_id, sender, target, is_group, type, content, client_msg_id, time_ms, sender_seq, burn) VALUES (?, 'app', 'carol', 'bob', 0, 1, X'01', X'ff', 1000, 0, 0)").run(farId);
      other.prepare("INSERT INTO inbox (app_id, user_id, seq, kind, msg_id, own, item) VALUES ('app', 'bob', 2, 1, ?, 0, NULL)").run(farId);
      other.prepare("UPDATE inbox_heads SET max_seq = 2 WHERE app_id = 'app' AND user_id = 'bob'").run();
    } finally {
      other.close();
    }
    const next = await sendOne('bob');
    expect(next.seq).toBe(3);
    expect(next.msgId).toBeGreaterThan(farId);
    expect(seqs('bob')).toEqual([1, 2, 3]);
  });

  it('reads again what another store wrote in its own transaction within the window', async () => {
    await sendOne('bob');
    // as the group service does: an inbox store of its own, one transaction per operation
    const groupsInbox = createInboxStore(db);
    db.transaction(() => {
      groupsInbox.batchHooks.begin();
      try {
        groupsInbox.append('app', ['bob'], { case: 'notice', value: create(pb.NoticeSchema, { text: 'joined' }) });
        groupsInbox.batchHooks.flush();
      } finally {
        groupsInbox.batchHooks.end();
      }
    })();
    expect((await sendOne('bob')).seq).toBe(3);
    // and a write outside any batch, through the store itself
    inbox.append('app', ['bob'], { case: 'notice', value: create(pb.NoticeSchema, { text: 'later' }) });
    expect((await sendOne('bob')).seq).toBe(5);
    expect(seqs('bob')).toEqual([1, 2, 3, 4, 5]);
  });

  it('answers a resend of a message stored in an earlier batch with that message, and the batch’s other writes still commit', async () => {
    /** As SEND stores: the client id looked for first. */
    const storeOnce = (cid: number) => () => {
      const earlier = messages.byClientId('app', 'alice', new Uint8Array([cid]));
      if (earlier !== undefined) return { msgId: earlier.msgId, seq: 0, resend: true };
      clientId = cid - 1;
      return { ...send('bob')(), resend: false };
    };
    const first = batch.run(storeOnce(7), (r) => r);
    endTurn();
    const firstId = (await first).msgId;
    const results = [8, 7, 9].map((cid) => batch.run(storeOnce(cid), (r) => r));
    endTurn();
    const [eight, seven, nine] = await Promise.all(results);
    expect(seven).toEqual({ msgId: firstId, seq: 0, resend: true });
    expect([eight!.resend, nine!.resend]).toEqual([false, false]);
    expect([eight!.seq, nine!.seq]).toEqual([2, 3]);
    expect(db.prepare('SELECT COUNT(*) FROM messages').pluck().get()).toBe(3);
    expect(seqs('bob')).toEqual([1, 2, 3]);
    expect(seqs('alice')).toEqual([1, 2, 3]);
  });

  it('gives a failed write’s seqs again, gap-free, in the same batch and the next', async () => {
    await sendOne('bob');
    const failing = batch.run(() => {
      send('bob')();
      throw new Error('refused');
    }, () => 0);
    const after = batch.run(send('bob'), (result) => result.seq);
    endTurn();
    await expect(failing).rejects.toThrow('refused');
    expect(await after).toBe(2);
    expect((await sendOne('bob')).seq).toBe(3);
    expect(seqs('bob')).toEqual([1, 2, 3]);
    expect(seqs('alice')).toEqual([1, 2, 3]);
  });

  it('gives a rolled-back batch’s seqs again when the whole batch fails', async () => {
    await sendOne('bob');
    // a batch whose every write fails: nothing of it stands, and nothing it gave is kept
    const failing = batch.run(() => {
      send('bob')();
      send('dave')();
      throw new Error('refused');
    }, () => 0);
    endTurn();
    await expect(failing).rejects.toThrow('refused');
    expect((await sendOne('bob')).seq).toBe(2);
    expect((await sendOne('dave')).seq).toBe(1);
    expect(seqs('alice')).toEqual([1, 2, 3]);
  });
});
