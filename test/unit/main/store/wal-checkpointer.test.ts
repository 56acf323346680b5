import { statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { messageEntry, openTempStore } from './inbox-entries';

let temp: ReturnType<typeof openTempStore>;
afterEach(() => temp.dispose());

describe('WAL checkpoints', () => {
  it('run in a worker, not in the commits of the main connection', async () => {
    temp = openTempStore('alice');
    const { store } = temp;
    // the main connection never checkpoints: commits only append to the log
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const sizeBefore = statSync(store.file).size;
    store.ingest.ingestPage(
      Array.from({ length: 3_000 }, (_, i) => messageEntry(i + 1, { msgId: i + 1, from: 'bob', to: 'alice', text: `消息 ${i}` })),
    );
    store.checkpointSoon();
    const deadline = Date.now() + 10_000;
    while (statSync(store.file).size === sizeBefore && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(statSync(store.file).size).toBeGreaterThan(sizeBefore);
    expect(store.messages.getByMsgId(3_000)?.text).toBe('消息 2999');
  });
});
