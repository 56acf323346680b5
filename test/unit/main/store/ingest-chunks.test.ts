import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openClientStoreFile, type ClientStore } from '../../../../main/store';
import { pb } from '../../../../protocol';
import { burnedEntry, messageEntry, noticeEntry, readEntry, revokedEntry } from './inbox-entries';

const opened: { store: ClientStore; dir: string }[] = [];
afterEach(async () => {
  for (const { store, dir } of opened.splice(0)) {
    store.close();
    await store.closed;
    rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
  }
});

/** A store whose clock stands still, so two stores given the same entries can be compared row by row. */
function storeFor(selfId: string): ClientStore {
  const dir = mkdtempSync(join(tmpdir(), 'magpie-chunks-'));
  const store = openClientStoreFile(join(dir, 'magpie.db'), selfId, { now: () => 1_700_000_100_000 });
  opened.push({ store, dir });
  return store;
}

function snapshot(store: ClientStore): unknown {
  return ['messages', 'conversations', 'outbox', 'notices', 'groups', 'members', 'sync_state'].map((table) =>
    store.db.prepare(`SELECT * FROM ${table} ORDER BY 1`).all(),
  );
}

const SENT_HERE = new Uint8Array(16).fill(9);

/** Sends a message from this device that the server has not confirmed yet. */
function sendFromHere(store: ClientStore): void {
  store.outbox.enqueue(
    {
      message: {
        msgId: null, clientMsgId: Buffer.from(SENT_HERE).toString('hex'), conversation: 'bob', from: 'alice', to: 'bob',
        outgoing: true, type: pb.MessageType.TEXT, text: 'on its way', body: {}, timeMs: 1_700_000_000_500, seq: null, timelineSeq: null,
        state: 'sending', mentionsMe: false, burnAfterReading: false,
      },
      sendBody: new Uint8Array([1]),
    },
    1_700_000_000_500,
  );
}

/** A page where conversations are read, revoked, burned and confirmed between their new messages. */
function mixedPage(): pb.Entry[] {
  let seq = 0;
  const at = (msgId: number, fields: Omit<Parameters<typeof messageEntry>[1], 'msgId'>) => messageEntry(++seq, { msgId, ...fields });
  return [
    at(1, { from: 'bob', to: 'alice', text: 'first from bob' }),
    at(2, { from: 'bob', to: 'alice', text: 'second from bob', mentions: ['alice'] }),
    // arrives later in the page but is the older message: it must not become bob's last one
    at(3, { from: 'bob', to: 'alice', text: 'late but old', timeMs: 1_600_000_000_000 }),
    at(4, { from: 'carol', to: 'galpha', text: '@all lunch?', mentions: ['alice'] }),
    readEntry(++seq, 'alice', 'bob', 2),
    at(5, { from: 'bob', to: 'alice', text: 'after you read' }),
    // my other device read further than what is stored: this one arrives read
    readEntry(++seq, 'alice', 'carol', 7),
    at(7, { from: 'carol', to: 'alice', text: 'already read elsewhere' }),
    at(8, { from: 'alice', to: 'bob', text: 'on its way', clientMsgId: SENT_HERE }),
    at(9, { from: 'bob', to: 'alice', text: 'revoke me' }),
    revokedEntry(++seq, 9, 'bob', 'bob'),
    at(10, { from: 'dave', to: 'galpha', text: 'burn me', burnAfterReading: true }),
    burnedEntry(++seq, 10, 'galpha'),
    noticeEntry(++seq, { kind: pb.NoticeKind.CREATE, groupId: 'gteam', actor: 'bob', targets: ['alice'], groupName: 'Team' }),
    at(11, { from: 'bob', to: 'gteam', text: 'welcome' }),
    readEntry(++seq, 'bob', 'bob', 8),
    at(12, { from: 'bob', to: 'alice', text: 'newest from bob' }),
    // the same message again, as a replayed push would bring it
    messageEntry(++seq, { msgId: 12, from: 'bob', to: 'alice', text: 'newest from bob' }),
    // a new conversation whose last message in the page is not its newest
    at(13, { from: 'erin', to: 'alice', text: 'newer' }),
    at(14, { from: 'erin', to: 'alice', text: 'older', timeMs: 1_600_000_000_000 }),
  ];
}

describe('ingest in chunks', () => {
  it('ends a mixed page the same whether applied at once, in small chunks or entry by entry', async () => {
    const page = mixedPage();
    const [whole, chunked, oneByOne] = ['whole', 'chunked', 'one by one'].map(() => {
      const store = storeFor('alice');
      sendFromHere(store);
      return store;
    }) as [ClientStore, ClientStore, ClientStore];

    const result = whole.ingest.ingestPage(page);
    await chunked.ingest.ingestEntries(page, { budgetMs: 0 });
    for (const entry of page) oneByOne.ingest.ingestPage([entry]);

    expect(snapshot(whole)).toEqual(snapshot(oneByOne));
    expect(snapshot(chunked)).toEqual(snapshot(oneByOne));

    expect(result.messages.map((m) => m.msgId)).toEqual([1, 2, 3, 4, 5, 7, 9, 10, 11, 12, 13, 14]);
    expect(result.ownMessagesConfirmed.map((m) => m.msgId)).toEqual([8]);
    expect(result.revoked.map((m) => m.msgId)).toEqual([9]);
    expect(result.burned.map((m) => m.msgId)).toEqual([10]);
    expect(result.conversations).toEqual(['bob', 'galpha', 'carol', 'gteam', 'erin']);
    // the records reported are the rows as stored (those that later entries of the page left alone)
    for (const message of result.messages.filter((m) => [4, 7, 11, 12].includes(m.msgId!))) {
      expect(whole.messages.getByLocalId(message.localId)).toEqual(message);
    }

    expect(whole.conversations.get('bob')).toMatchObject({ unreadCount: 3, unreadMentions: 0, lastPreview: 'newest from bob', readUpToMsgId: 2 });
    expect(whole.conversations.get('carol')).toMatchObject({ unreadCount: 0, lastPreview: 'already read elsewhere' });
    expect(whole.conversations.get('galpha')).toMatchObject({ unreadCount: 1, unreadMentions: 1, lastPreview: '[burned]' });
    expect(whole.conversations.get('erin')).toMatchObject({ unreadCount: 2, lastPreview: 'newer' });
    expect(whole.messages.getByMsgId(8)).toMatchObject({ state: 'read', seq: 9 });
  });

  it('keeps the search index whole and compact across thousands of small chunks', async () => {
    const store = storeFor('alice');
    const words = ['会议', '北京', 'magpie', 'meeting', '明天', 'release'];
    const count = 3_000;
    const texts = Array.from({ length: count }, (_, i) => `${words[i % words.length]} ${words[(i * 5 + 1) % words.length]} n${i}`);
    const entries = texts.map((text, i) => messageEntry(i + 1, { msgId: i + 1, from: 'bob', to: 'alice', text }));
    // one entry per chunk: a commit, and a step of merging, for each message
    await store.ingest.ingestEntries(entries, { budgetMs: 0 });

    for (const query of ['北京', '明天', 'meeting', 'magpie release', '会']) {
      const terms = query.split(' ');
      const expected = texts.flatMap((text, i) => (terms.every((term) => text.includes(term)) ? [i + 1] : []));
      const hits = store.search.search(query, { limit: count }).map((hit) => hit.msgId);
      expect(hits.sort((a, b) => a! - b!), query).toEqual(expected);
    }
    // FTS5 merges only when asked: without the steps, 3,000 commits leave 15 segments here, with them 6
    const { segments } = store.db
      .prepare<[], { segments: number }>('SELECT count(DISTINCT segid) AS segments FROM message_search_idx')
      .get()!;
    expect(segments).toBeLessThanOrEqual(10);
  });
});
