import { create } from '@bufbuild/protobuf';
import { afterEach, describe, expect, it } from 'vitest';
import { pb } from '../../../../protocol';
import { toMessageView } from '../../../../main/views/message-view';
import { messageEntry, openTempStore } from './inbox-entries';

let temp: ReturnType<typeof openTempStore>;
afterEach(() => temp.dispose());

describe('a message the server withheld', () => {
  it('is stored as a placeholder the UI shows as “could not be shown”, and sync goes on past it', () => {
    temp = openTempStore('alice');
    const shell = create(pb.MessageSchema, { msgId: 7n, from: 'bob', type: pb.MessageType.CUSTOM, timeMs: 1_700_000_000_000n, withheld: true });
    const result = temp.store.ingest.ingestPage([
      create(pb.EntrySchema, { seq: 1n, item: { case: 'message', value: shell } }),
      messageEntry(2, { msgId: 8, from: 'bob', to: '', text: 'next' }),
    ]);
    expect(result.appliedSeq).toBe(2);
    const [placeholder, next] = temp.store.messages.page('bob', 10);
    expect(placeholder).toMatchObject({ msgId: 7, conversation: 'bob', text: '', body: { unavailable: true } });
    expect(toMessageView(placeholder!)).toMatchObject({ kind: 'unavailable', text: '' });
    expect(toMessageView(next!).kind).toBe('text');
  });

  it('moves past an entry that cannot be read at all', () => {
    temp = openTempStore('alice');
    temp.store.ingest.ingestPage([messageEntry(1, { msgId: 8, from: 'bob', to: '', text: 'one' })]);
    expect(temp.store.ingest.skipEntry(2).appliedSeq).toBe(2);
  });
});
