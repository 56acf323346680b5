import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, MagpieError } from '../../../../protocol';
import { createUnsentReads, type ReadMark } from '../../../../main/client/unsent-reads';
import { openClientStoreFile, type ClientStore } from '../../../../main/store';

const stores: ClientStore[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

/** The unsent reads on a real store, the server's answers given by the test (the server is not ours here). */
function setup(answer: (mark: ReadMark) => Promise<unknown>, online = true) {
  const store = openClientStoreFile(':memory:', 'me');
  stores.push(store);
  const sent: ReadMark[] = [];
  const reads = createUnsentReads({
    store: store.unsentReads,
    online: () => online,
    request: (mark) => {
      sent.push(mark);
      return answer(mark);
    },
    now: () => 1000,
    log: pino({ level: 'silent' }),
  });
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { store, reads, sent, settle };
}

describe('unsent read marks', () => {
  it('are kept offline and sent at the next flush; an answered mark is deleted', async () => {
    const { store, reads, sent, settle } = setup(() => Promise.resolve({}), false);
    reads.mark({ conversation: 'bob', upToMsgId: 4 });
    reads.mark({ conversation: 'bob', upToMsgId: 7 });
    expect(sent).toEqual([]);
    expect(store.unsentReads.all()).toEqual([{ conversation: 'bob', upToMsgId: 7 }]);
    reads.flush();
    await settle();
    expect(sent).toEqual([{ conversation: 'bob', upToMsgId: 7 }]);
    expect(store.unsentReads.all()).toEqual([]);
  });

  it('stay after a lost link, and go when the server refuses them for good', async () => {
    const cut = setup(() => Promise.reject(new MagpieError(ErrorCode.CONNECTION_CLOSED, 'closed')));
    cut.reads.mark({ conversation: 'bob', upToMsgId: 3 });
    await cut.settle();
    expect(cut.store.unsentReads.all()).toEqual([{ conversation: 'bob', upToMsgId: 3 }]);

    const refused = setup(() => Promise.reject(new MagpieError(ErrorCode.NOT_IN_CONVERSATION, 'not yours')));
    refused.reads.mark({ conversation: 'gold', upToMsgId: 3 });
    await refused.settle();
    expect(refused.store.unsentReads.all()).toEqual([]);
  });

  it('an answer to a lower mark leaves a higher one made meanwhile waiting', async () => {
    let answerFirst: (value: unknown) => void = () => undefined;
    const { store, reads, settle } = setup((mark) => (mark.upToMsgId === 3 ? new Promise((resolve) => (answerFirst = resolve)) : new Promise(() => undefined)));
    reads.mark({ conversation: 'bob', upToMsgId: 3 });
    reads.mark({ conversation: 'bob', upToMsgId: 5 });
    answerFirst({});
    await settle();
    expect(store.unsentReads.all()).toEqual([{ conversation: 'bob', upToMsgId: 5 }]);
  });
});
