import { toBinary, create } from '@bufbuild/protobuf';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, MagpieError, ManualClock, pb, type AnswerTo } from '../../../../protocol';
import { createOutboxLedger } from '../../../../main/client/outbox-ledger';
import type { Link } from '../../../../main/engine/link';
import { OutboxSender } from '../../../../main/engine/outbox-sender';
import type { StoredMessage } from '../../../../main/store';
import { openTempStore } from '../store/inbox-entries';

let temp: ReturnType<typeof openTempStore> | undefined;
afterEach(async () => {
  await temp?.dispose();
  temp = undefined;
});

const clientMsgId = '0'.repeat(31) + '1';

/** The far end of a link for the sender: answers each SEND with what the test queued next. */
function scriptedLink(answers: Array<() => AnswerTo<'SEND'>>): Link & { sends: number } {
  const link = {
    isOpen: true,
    sends: 0,
    request(name: string) {
      expect(name).toBe('SEND');
      link.sends += 1;
      const next = answers.shift()!;
      return new Promise((resolve, reject) => {
        try {
          resolve(next());
        } catch (error) {
          reject(error);
        }
      });
    },
  };
  return link as unknown as Link & { sends: number };
}

const settle = async () => {
  for (let i = 0; i < 10; i += 1) await new Promise<void>((resolve) => setImmediate(resolve));
};

describe('outbox attempts and purge', () => {
  it('counts each SEND put on the wire, and deletes the outbox row at the receipt while the message stays', async () => {
    temp = openTempStore('alice');
    const store = temp.store;
    store.outbox.enqueue(
      {
        message: {
          msgId: null, clientMsgId, conversation: 'bob', from: 'alice', to: 'bob', outgoing: true, type: pb.MessageType.TEXT,
          text: 'hi', body: {}, timeMs: 10, seq: null, timelineSeq: null, state: 'sending', mentionsMe: false, burnAfterReading: false,
        },
        sendBody: toBinary(pb.SendSchema, create(pb.SendSchema, { to: 'bob' })),
      },
      10,
    );
    const clock = new ManualClock(1000);
    const outgoing: StoredMessage[] = [];
    const sender = new OutboxSender({
      ledger: createOutboxLedger({ store, clock, onOutgoing: (message) => outgoing.push(message) }),
      onError: (error) => {
        throw error;
      },
      retryDelayMs: 500,
      maxInFlight: 4,
      clock,
    });
    const link = scriptedLink([
      () => {
        throw new MagpieError(ErrorCode.REQUEST_TIMEOUT, 'no answer');
      },
      () => {
        throw new MagpieError(ErrorCode.RATE_LIMITED, 'slow down');
      },
      () => ({ name: 'SENT', body: create(pb.SentSchema, { msgId: 77n, seq: 5n, timeMs: 2000n }) }),
    ]);

    sender.attach(link);
    await settle();
    expect(link.sends).toBe(1);
    expect(store.outbox.get(clientMsgId)).toMatchObject({ state: 'sending', attempts: 1, updatedMs: 1000 });

    clock.advance(500); // the retry after a retryable failure
    await settle();
    expect(store.outbox.get(clientMsgId)).toMatchObject({ state: 'sending', attempts: 2, updatedMs: 1500 });

    clock.advance(500);
    await settle();
    expect(link.sends).toBe(3);
    expect(store.outbox.get(clientMsgId)).toBeUndefined();
    expect(store.outbox.list()).toEqual([]);
    expect(store.messages.getByClientMsgId(clientMsgId)).toMatchObject({ msgId: 77, seq: 5, state: 'sent', text: 'hi' });
    expect(outgoing.map((m) => m.msgId)).toEqual([77]);
  });
});
