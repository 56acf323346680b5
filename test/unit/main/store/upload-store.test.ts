import { afterEach, describe, expect, it } from 'vitest';
import { pb } from '../../../../protocol';
import { safeFileName } from '../../../../main/files/desktop-files';
import type { OutgoingMessage } from '../../../../main/store';
import { openTempStore } from './inbox-entries';

let temp: ReturnType<typeof openTempStore>;
afterEach(() => temp.dispose());

function withUpload(n: number): OutgoingMessage {
  const clientMsgId = n.toString(16).padStart(32, '0');
  return {
    message: {
      msgId: null, clientMsgId, conversation: 'bob', from: 'alice', to: 'bob', outgoing: true, type: pb.MessageType.FILE,
      text: '', body: { media: { fileId: '', name: `f${n}.bin`, size: 10, mime: '' } }, timeMs: 1000 + n, seq: null, timelineSeq: null, state: 'sending',
      mentionsMe: false, burnAfterReading: false,
    },
    sendBody: new Uint8Array([n]),
    upload: { path: `/tmp/f${n}.bin`, owned: n === 2, kind: 'file', name: `f${n}.bin`, size: 10, mtimeMs: 5, durationMs: 0, uploadUrl: null },
  };
}

describe('media messages waiting for their upload', () => {
  it('are stored with their upload, kept across a reopen, and not sent until the upload is done', () => {
    temp = openTempStore('alice');
    temp.store.outbox.enqueue(withUpload(1), 100);
    temp.store.outbox.enqueue(withUpload(2), 200);
    const id1 = withUpload(1).message.clientMsgId;
    temp.store.uploads.setUrl(id1, 'http://127.0.0.1:1/files/uploads/abc');
    const reopened = temp.reopen();
    expect(reopened.outbox.pending()).toEqual([]);
    expect(reopened.uploads.due().map((u) => [u.name, u.uploadUrl, u.owned])).toEqual([
      ['f1.bin', 'http://127.0.0.1:1/files/uploads/abc', false],
      ['f2.bin', null, true],
    ]);
    expect(reopened.uploads.ownedPaths()).toEqual(['/tmp/f2.bin']);

    // done: the SEND body and the message name the server's file, and it is due to send
    reopened.uploads.complete(id1, new Uint8Array([9, 9]), { media: { fileId: 'f'.repeat(32), name: 'f1.bin', size: 10, mime: 'text/plain' } });
    expect(reopened.outbox.pending().map((item) => [item.clientMsgId, [...item.body]])).toEqual([[id1, [9, 9]]]);
    expect(reopened.messages.getByClientMsgId(id1)?.body.media?.fileId).toBe('f'.repeat(32));
    expect(reopened.uploads.get(id1)).toBeUndefined();
  });

  it('a failed one is not due until retried; a withdrawn one forgets its upload', () => {
    temp = openTempStore('alice');
    temp.store.outbox.enqueue(withUpload(1), 100);
    temp.store.outbox.enqueue(withUpload(2), 200);
    const [id1, id2] = [withUpload(1).message.clientMsgId, withUpload(2).message.clientMsgId];
    temp.store.outbox.markFailed(id1, 581007, 'gone', 300);
    expect(temp.store.uploads.due().map((u) => u.clientMsgId)).toEqual([id2]);
    expect(temp.store.messages.getByClientMsgId(id1)?.state).toBe('failed');
    temp.store.outbox.retry(id1, 400);
    expect(temp.store.uploads.due().map((u) => u.clientMsgId)).toEqual([id1, id2]);
    temp.store.outbox.cancel(id2);
    expect(temp.store.uploads.get(id2)).toBeUndefined();
    expect(temp.store.uploads.due().map((u) => u.clientMsgId)).toEqual([id1]);
  });
});

describe('a sender\'s file name on this disk', () => {
  it('is one safe path segment, never empty', () => {
    expect(safeFileName('../../etc/passwd', 'x')).toBe('passwd');
    expect(safeFileName('C:\\Users\\a\\report.pdf', 'x')).toBe('report.pdf');
    expect(safeFileName('a<b>:c|d?.txt', 'x')).toBe('a_b__c_d_.txt');
    expect(safeFileName('..', 'fallback')).toBe('fallback');
    expect(safeFileName('', 'fallback')).toBe('fallback');
    expect(safeFileName('x'.repeat(300), 'f')).toHaveLength(200);
  });
});
