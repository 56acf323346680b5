import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../../protocol';
import type { OutgoingMessage } from '../../../../main/store';
import { openTempStore } from './inbox-entries';

let temp: ReturnType<typeof openTempStore>;
afterEach(() => temp.dispose());

function outgoing(n: number, to = 'bob'): OutgoingMessage {
  const clientMsgId = n.toString(16).padStart(32, '0');
  return {
    message: {
      msgId: null, clientMsgId, conversation: to, from: 'alice', to, outgoing: true, type: pb.MessageType.TEXT,
      text: `draft ${n}`, body: {}, timeMs: 1000 + n, seq: null, timelineSeq: null, state: 'sending', mentionsMe: false, burnAfterReading: false,
    },
    sendBody: new Uint8Array([n, n, n]),
  };
}

describe('outbox', () => {
  it('survives closing and reopening the database, oldest first, with the message shown as sending', () => {
    temp = openTempStore('alice');
    temp.store.outbox.enqueue(outgoing(1), 100);
    temp.store.outbox.enqueue(outgoing(2), 200);
    temp.store.outbox.noteAttempt(outgoing(1).message.clientMsgId, 150);
    const reopened = temp.reopen();
    const pending = reopened.outbox.pending();
    expect(pending.map((item) => [item.clientMsgId, item.attempts, [...item.body]])).toEqual([
      [outgoing(1).message.clientMsgId, 1, [1, 1, 1]],
      [outgoing(2).message.clientMsgId, 0, [2, 2, 2]],
    ]);
    expect(reopened.messages.page('bob', 10).map((m) => [m.text, m.state])).toEqual([
      ['draft 1', 'sending'],
      ['draft 2', 'sending'],
    ]);
    expect(reopened.conversations.get('bob')).toMatchObject({ lastPreview: 'draft 2', unreadCount: 0 });
  });

  it("takes the server's time for a sent message, and keeps one's later messages still waiting below it", () => {
    temp = openTempStore('alice');
    const { outbox, messages } = temp.store;
    // queued while offline: a text, then an image whose upload is still running when the text is sent
    outbox.enqueue(outgoing(1), 100);
    outbox.enqueue(outgoing(2), 200);
    outbox.markSent(outgoing(1).message.clientMsgId, { msgId: 501, seq: 9, timeMs: 9000 });
    expect(messages.page('bob', 10).map((m) => [m.text, m.state, m.timeMs])).toEqual([
      ['draft 1', 'sent', 9000],
      ['draft 2', 'sending', 9000],
    ]);
    outbox.markSent(outgoing(2).message.clientMsgId, { msgId: 502, seq: 10, timeMs: 9100 });
    expect(messages.page('bob', 10).map((m) => [m.text, m.timeMs])).toEqual([
      ['draft 1', 9000],
      ['draft 2', 9100],
    ]);
  });

  it('marks an item sent with the server ids, or failed with the error code, and retries it', () => {
    temp = openTempStore('alice');
    const { outbox, messages } = temp.store;
    const a = outgoing(1).message.clientMsgId;
    const b = outgoing(2).message.clientMsgId;
    outbox.enqueue(outgoing(1), 100);
    outbox.enqueue(outgoing(2), 200);
    outbox.markSent(a, { msgId: 501, seq: 9, timeMs: 5000 });
    outbox.markFailed(b, ErrorCode.TEXT_TOO_LONG, 'too long', 300);
    expect(outbox.get(a)).toBeUndefined(); // the receipt ends the outbox row
    expect(messages.getByClientMsgId(a)).toMatchObject({ state: 'sent', msgId: 501, timeMs: 5000 });
    expect(outbox.get(b)).toMatchObject({ state: 'failed', errorCode: ErrorCode.TEXT_TOO_LONG });
    expect(messages.getByClientMsgId(b)?.state).toBe('failed');
    expect(outbox.pending()).toEqual([]);

    expect(outbox.retry(b, 400)).toBe(true);
    expect(outbox.pending().map((item) => item.clientMsgId)).toEqual([b]);
    expect(messages.getByClientMsgId(b)?.state).toBe('sending');
    expect(outbox.retry(a, 400)).toBe(false); // sent items are not retried
  });

  it('cancels an unsent item and its message, never a sent one', () => {
    temp = openTempStore('alice');
    const { outbox, messages, conversations } = temp.store;
    outbox.enqueue(outgoing(1), 100);
    outbox.enqueue(outgoing(2), 200);
    const b = outgoing(2).message.clientMsgId;
    expect(outbox.cancel(b)).toBe(true);
    expect(outbox.get(b)).toBeUndefined();
    expect(messages.page('bob', 10).map((m) => m.text)).toEqual(['draft 1']);
    expect(conversations.get('bob')?.lastPreview).toBe('draft 1');
    const a = outgoing(1).message.clientMsgId;
    outbox.markSent(a, { msgId: 1, seq: 1, timeMs: 1 });
    expect(outbox.cancel(a)).toBe(false);
    expect(messages.getByClientMsgId(a)).toMatchObject({ msgId: 1, state: 'sent' });
  });

  it('purges, on opening, the sent rows an earlier version kept, and keeps their messages', () => {
    temp = openTempStore('alice');
    temp.store.outbox.enqueue(outgoing(1), 100);
    temp.store.outbox.enqueue(outgoing(2), 200);
    const a = outgoing(1).message.clientMsgId;
    // what an earlier version left: the row marked sent instead of deleted
    temp.store.db.prepare(`UPDATE outbox SET state = 'sent', msg_id = 7, seq = 3 WHERE client_msg_id = ?`).run(a);
    const reopened = temp.reopen();
    expect(reopened.outbox.get(a)).toBeUndefined();
    expect(reopened.outbox.list().map((item) => item.clientMsgId)).toEqual([outgoing(2).message.clientMsgId]);
    expect(reopened.messages.getByClientMsgId(a)?.text).toBe('draft 1');
  });
});
