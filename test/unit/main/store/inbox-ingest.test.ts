import { afterEach, describe, expect, it } from 'vitest';
import { pb } from '../../../../protocol';
import { toNoticeView } from '../../../../main/views/message-view';
import { burnedEntry, messageEntry, noticeEntry, openTempStore, readEntry, revokedEntry } from './inbox-entries';

let temp: ReturnType<typeof openTempStore>;
afterEach(() => temp.dispose());

function snapshotTables(): unknown {
  const db = temp.store.db;
  return ['messages', 'conversations', 'notices', 'groups', 'members', 'sync_state'].map((table) =>
    db.prepare(`SELECT * FROM ${table} ORDER BY 1`).all(),
  );
}

describe('inbox ingest', () => {
  it('stores a page in seq order and applying it twice changes nothing', () => {
    temp = openTempStore('alice');
    const page = [
      messageEntry(1, { msgId: 10, from: 'bob', to: 'alice', text: 'hi alice' }),
      messageEntry(2, { msgId: 11, from: 'alice', to: 'bob', text: 'hi bob' }),
      messageEntry(3, { msgId: 12, from: 'bob', to: 'alice', text: 'how are you?' }),
      messageEntry(4, { msgId: 13, from: 'carol', to: 'galpha', text: 'group hello' }),
    ];
    const first = temp.store.ingest.ingestPage(page);
    expect(first.messages.map((m) => m.msgId)).toEqual([10, 11, 12, 13]);
    expect(first.appliedSeq).toBe(4);
    expect(temp.store.messages.page('bob', 10).map((m) => m.text)).toEqual(['hi alice', 'hi bob', 'how are you?']);
    expect(temp.store.messages.page('galpha', 10).map((m) => m.from)).toEqual(['carol']);

    const before = snapshotTables();
    const second = temp.store.ingest.ingestPage(page);
    expect(second.messages).toEqual([]);
    expect(second.conversations).toEqual([]);
    expect(snapshotTables()).toEqual(before);
  });

  it('takes a one-to-one message without `to` (as the server sends it to its recipient) as addressed to this user', () => {
    temp = openTempStore('alice');
    const result = temp.store.ingest.ingestPage([messageEntry(1, { msgId: 20, from: 'bob', to: '', text: 'for you' })]);
    expect(result.messages).toMatchObject([{ conversation: 'bob', from: 'bob', to: 'alice', outgoing: false }]);
    expect(temp.store.messages.page('bob', 10)).toMatchObject([{ to: 'alice', text: 'for you' }]);
  });

  it('counts unread incoming messages and keeps the last message of each conversation', () => {
    temp = openTempStore('alice');
    temp.store.ingest.ingestPage([
      messageEntry(1, { msgId: 1, from: 'bob', to: 'alice', text: 'one' }),
      messageEntry(2, { msgId: 2, from: 'bob', to: 'alice', text: 'two' }),
      messageEntry(3, { msgId: 3, from: 'alice', to: 'bob', text: 'mine' }),
      messageEntry(4, { msgId: 4, from: 'carol', to: 'galpha', text: '@alice look', mentions: ['alice'] }),
      messageEntry(5, { msgId: 5, from: 'dave', to: 'alice', type: pb.MessageType.FILE, media: { fileId: 'f1', name: 'plan.pdf', size: 9, mime: 'application/pdf' } }),
    ]);
    const bob = temp.store.conversations.get('bob')!;
    expect(bob).toMatchObject({ kind: 'user', unreadCount: 2, lastPreview: 'mine', lastSender: 'alice' });
    expect(temp.store.conversations.get('galpha')).toMatchObject({ kind: 'group', unreadCount: 1, unreadMentions: 1 });
    expect(temp.store.conversations.get('dave')).toMatchObject({ lastPreview: 'plan.pdf', lastType: pb.MessageType.FILE });
    expect(temp.store.conversations.list().map((c) => c.id)).toEqual(['dave', 'galpha', 'bob']);

    expect(temp.store.conversations.markRead('bob')).toBe(2);
    expect(temp.store.conversations.get('bob')).toMatchObject({ unreadCount: 0, readUpToMsgId: 2 });
    expect(temp.store.messages.page('bob', 10).map((m) => m.state)).toEqual(['read', 'read', 'sent']);
    expect(temp.store.conversations.markRead('bob')).toBeUndefined();
  });

  it("applies a read receipt from my other device and one from the peer", () => {
    temp = openTempStore('alice');
    const result = temp.store.ingest.ingestPage([
      messageEntry(1, { msgId: 1, from: 'bob', to: 'alice', text: 'a' }),
      messageEntry(2, { msgId: 2, from: 'bob', to: 'alice', text: 'b' }),
      messageEntry(3, { msgId: 3, from: 'alice', to: 'bob', text: 'c' }),
      readEntry(4, 'alice', 'bob', 1),
      readEntry(5, 'bob', 'bob', 3),
    ]);
    expect(result.readReceipts).toHaveLength(2);
    expect(temp.store.conversations.get('bob')).toMatchObject({ unreadCount: 1, readUpToMsgId: 1, peerReadUpToMsgId: 3 });
    expect(temp.store.messages.page('bob', 10).map((m) => m.state)).toEqual(['read', 'received', 'read']);
    // a later message already read on another device arrives read
    temp.store.ingest.ingestPage([readEntry(6, 'alice', 'bob', 7), messageEntry(7, { msgId: 7, from: 'bob', to: 'alice' })]);
    expect(temp.store.messages.getByMsgId(7)?.state).toBe('read');
  });

  it('empties a revoked message and a burned one, drops them from unread; the preview says so', () => {
    temp = openTempStore('alice');
    temp.store.ingest.ingestPage([
      messageEntry(1, { msgId: 1, from: 'bob', to: 'alice', text: 'keep' }),
      messageEntry(2, { msgId: 2, from: 'bob', to: 'alice', text: 'oops secret' }),
      messageEntry(3, { msgId: 3, from: 'bob', to: 'galpha', text: 'burn me', burnAfterReading: true }),
    ]);
    const result = temp.store.ingest.ingestPage([revokedEntry(4, 2, 'bob', 'bob'), burnedEntry(5, 3, 'galpha')]);
    expect(result.revoked.map((m) => m.msgId)).toEqual([2]);
    expect(result.burned.map((m) => m.msgId)).toEqual([3]);
    expect(temp.store.messages.getByMsgId(2)).toMatchObject({ revoked: true, revokedBy: 'bob', text: '' });
    expect(temp.store.messages.getByMsgId(3)).toMatchObject({ burned: true, text: '', burnAfterReading: true });
    expect(temp.store.conversations.get('bob')).toMatchObject({ unreadCount: 1, lastPreview: '[revoked]' });
    expect(temp.store.conversations.get('galpha')).toMatchObject({ unreadCount: 0 });
    expect(temp.store.search.search('secret')).toEqual([]);
    expect(temp.store.search.search('burn')).toEqual([]);
    // replaying the original page does not bring the content back
    temp.store.ingest.ingestPage([messageEntry(2, { msgId: 2, from: 'bob', to: 'alice', text: 'oops secret' })]);
    expect(temp.store.messages.getByMsgId(2)?.text).toBe('');
  });

  it('ties the server copy of a message sent from here to its outbox row', () => {
    temp = openTempStore('alice');
    const clientMsgId = new Uint8Array(16).fill(7);
    const hex = Buffer.from(clientMsgId).toString('hex');
    temp.store.outbox.enqueue(
      {
        message: {
          msgId: null, clientMsgId: hex, conversation: 'bob', from: 'alice', to: 'bob', outgoing: true,
          type: pb.MessageType.TEXT, text: 'sent before the crash', body: {}, timeMs: 5, seq: null, timelineSeq: null,
          state: 'sending', mentionsMe: false, burnAfterReading: false,
        },
        sendBody: new Uint8Array([1, 2, 3]),
      },
      5,
    );
    const result = temp.store.ingest.ingestPage([
      messageEntry(1, { msgId: 99, from: 'alice', to: 'bob', text: 'sent before the crash', clientMsgId }),
    ]);
    expect(result.messages).toEqual([]);
    expect(result.ownMessagesConfirmed.map((m) => m.msgId)).toEqual([99]);
    expect(temp.store.messages.page('bob', 10)).toHaveLength(1);
    expect(temp.store.messages.getByClientMsgId(hex)).toMatchObject({ msgId: 99, seq: 1, state: 'sent' });
    expect(temp.store.outbox.get(hex)).toBeUndefined(); // a receipt ends the outbox row
    expect(temp.store.outbox.pending()).toEqual([]);
  });

  it('confirms a message sent here to a large group by its timeline copy: the timeline seq is kept apart from the inbox seq', async () => {
    temp = openTempStore('alice');
    const clientMsgId = new Uint8Array(16).fill(9);
    const hex = Buffer.from(clientMsgId).toString('hex');
    temp.store.outbox.enqueue(
      {
        message: {
          msgId: null, clientMsgId: hex, conversation: 'gbig', from: 'alice', to: 'gbig', outgoing: true,
          type: pb.MessageType.TEXT, text: 'its SENT lost', body: {}, timeMs: 5, seq: null, timelineSeq: null,
          state: 'sending', mentionsMe: false, burnAfterReading: false,
        },
        sendBody: new Uint8Array([1, 2, 3]),
      },
      5,
    );
    const result = await temp.store.ingest.ingestTimeline('gbig', [
      messageEntry(41, { msgId: 99, from: 'alice', to: 'gbig', text: 'its SENT lost', clientMsgId }),
    ]);
    expect(result.ownMessagesConfirmed.map((m) => m.msgId)).toEqual([99]);
    // 41 is the timeline's: taken for an inbox seq it would place the message among the notices
    expect(temp.store.messages.getByClientMsgId(hex)).toMatchObject({ msgId: 99, seq: null, timelineSeq: 41, state: 'sent' });
    // the inbox's own copy later leaves both as they are
    temp.store.ingest.ingestPage([messageEntry(3, { msgId: 99, from: 'alice', to: 'gbig', text: 'its SENT lost', clientMsgId })]);
    expect(temp.store.messages.getByMsgId(99)).toMatchObject({ timelineSeq: 41 });
  });

  it('keeps groups and members in step with notices, once', () => {
    temp = openTempStore('alice');
    const page = [
      noticeEntry(1, { kind: pb.NoticeKind.CREATE, groupId: 'gteam', actor: 'bob', targets: ['alice', 'carol'], groupName: 'Team' }),
      noticeEntry(2, { kind: pb.NoticeKind.JOIN, groupId: 'gteam', actor: 'dave' }),
      noticeEntry(3, { kind: pb.NoticeKind.ROLE, groupId: 'gteam', actor: 'bob', targets: ['alice'], role: pb.GroupRole.ADMIN }),
      noticeEntry(4, { kind: pb.NoticeKind.KICK, groupId: 'gteam', actor: 'bob', targets: ['carol'] }),
    ];
    const result = temp.store.ingest.ingestPage(page);
    expect(result.notices.map((n) => n.seq)).toEqual([1, 2, 3, 4]);
    expect(temp.store.groups.getGroup('gteam')).toMatchObject({ name: 'Team', owner: 'bob', myRole: pb.GroupRole.ADMIN });
    expect(temp.store.groups.listMembers('gteam').map((m) => [m.userId, m.role])).toEqual([
      ['bob', pb.GroupRole.OWNER],
      ['alice', pb.GroupRole.ADMIN],
      ['dave', pb.GroupRole.MEMBER],
    ]);
    expect(temp.store.conversations.get('gteam')?.kind).toBe('group');
    expect(temp.store.ingest.ingestPage(page).notices).toEqual([]);
    expect(temp.store.notices.list().map((n) => n.kind)).toEqual([
      pb.NoticeKind.KICK, pb.NoticeKind.ROLE, pb.NoticeKind.JOIN, pb.NoticeKind.CREATE,
    ]);
  });

  it('keeps what a group change changed with its notice, and in the cached group; an older notice says nothing of it', () => {
    temp = openTempStore('alice');
    const group = { groupId: 'gteam', actor: 'bob' };
    temp.store.ingest.ingestPage([
      noticeEntry(1, { ...group, kind: pb.NoticeKind.CREATE, targets: ['alice'], groupName: 'Team' }),
      noticeEntry(2, {
        ...group,
        kind: pb.NoticeKind.MODIFY,
        groupName: 'Team 2',
        text: 'Friday 5pm',
        changed: [pb.GroupField.NAME, pb.GroupField.ANNOUNCEMENT, pb.GroupField.MODE, pb.GroupField.INVITE_CONFIRM],
        mode: pb.GroupMode.APPROVAL,
        inviteConfirm: true,
      }),
      noticeEntry(3, { ...group, kind: pb.NoticeKind.MODIFY, groupName: 'Team 2', text: '', changed: [pb.GroupField.ANNOUNCEMENT] }),
      // from a server that does not say what changed
      noticeEntry(4, { ...group, kind: pb.NoticeKind.MODIFY, groupName: 'Team 2' }),
    ]);
    const store = temp.reopen();
    const [older, cleared, renamed] = store.notices.listForGroup('gteam');
    expect(renamed?.changes).toEqual({ name: 'Team 2', announcement: 'Friday 5pm', mode: pb.GroupMode.APPROVAL, inviteConfirm: true });
    expect(toNoticeView(renamed!).changes).toEqual({ name: 'Team 2', announcement: 'Friday 5pm', mode: 'approval', inviteConfirm: true });
    expect(cleared?.changes).toEqual({ announcement: '' });
    expect(older?.changes).toBeUndefined();
    expect(toNoticeView(older!)).not.toHaveProperty('changes');
    expect(store.groups.getGroup('gteam')).toMatchObject({ name: 'Team 2', announcement: '', mode: pb.GroupMode.APPROVAL, inviteConfirm: true });
  });

  it("gives a mute's view its length, from its end and the notice's time; a lift has none", () => {
    temp = openTempStore('alice');
    const group = { groupId: 'gteam', actor: 'bob', targets: ['alice'] };
    temp.store.ingest.ingestPage([
      noticeEntry(1, { ...group, kind: pb.NoticeKind.CREATE, groupName: 'Team' }),
      // the server sets the end a moment before it stamps the notice
      noticeEntry(2, { ...group, kind: pb.NoticeKind.MUTE, muteForMs: 600_000 - 2 }),
      noticeEntry(3, { ...group, kind: pb.NoticeKind.MUTE, muteForMs: 30 * 86_400_000 }),
      noticeEntry(4, { ...group, kind: pb.NoticeKind.MUTE }),
    ]);
    const [lift, month, tenMinutes] = temp.reopen().notices.listForGroup('gteam');
    expect(toNoticeView(tenMinutes!)).toMatchObject({ kind: 'mute', muteSeconds: 600 });
    expect(toNoticeView(month!)).toMatchObject({ kind: 'mute', muteSeconds: 30 * 86_400 });
    expect(toNoticeView(lift!)).not.toHaveProperty('muteSeconds');
  });

  it('keeps mute all turned on and off in the cached group and with its notices', () => {
    temp = openTempStore('alice');
    const group = { groupId: 'gteam', actor: 'bob' };
    temp.store.ingest.ingestPage([
      noticeEntry(1, { ...group, kind: pb.NoticeKind.CREATE, targets: ['alice'], groupName: 'Team' }),
      noticeEntry(2, { ...group, kind: pb.NoticeKind.MODIFY, groupName: 'Team', changed: [pb.GroupField.MUTE_ALL], muteAll: true }),
    ]);
    expect(temp.store.groups.getGroup('gteam')).toMatchObject({ name: 'Team', muteAll: true });
    temp.store.ingest.ingestPage([
      noticeEntry(3, { ...group, kind: pb.NoticeKind.MODIFY, groupName: 'Team', changed: [pb.GroupField.MUTE_ALL], muteAll: false }),
    ]);
    const store = temp.reopen();
    expect(store.groups.getGroup('gteam')?.muteAll).toBe(false);
    const [off, on] = store.notices.listForGroup('gteam');
    expect(on?.changes).toEqual({ muteAll: true });
    expect(toNoticeView(off!).changes).toEqual({ muteAll: false });
  });

  it('empties a dismissed group of its members and count, its card and notices kept', () => {
    temp = openTempStore('alice');
    temp.store.ingest.ingestPage([
      noticeEntry(1, { kind: pb.NoticeKind.CREATE, groupId: 'gteam', actor: 'bob', targets: ['alice', 'carol'], groupName: 'Team' }),
      noticeEntry(2, { kind: pb.NoticeKind.DISMISS, groupId: 'gteam', actor: 'bob' }),
    ]);
    expect(temp.store.groups.getGroup('gteam')).toMatchObject({ name: 'Team', dismissed: true, memberCount: 0 });
    expect(temp.store.groups.listMembers('gteam')).toEqual([]);
    expect(temp.store.notices.list().map((n) => n.kind)).toEqual([pb.NoticeKind.DISMISS, pb.NoticeKind.CREATE]);
  });

  it('raises the applied seq past entries with nothing to store when told the page ends there', async () => {
    temp = openTempStore('alice');
    temp.store.ingest.ingestPage([messageEntry(1, { msgId: 1, from: 'bob', to: 'alice' })], 3);
    expect(temp.store.syncState.get().appliedSeq).toBe(3);
    await temp.store.ingest.ingestEntries([], { upToSeq: 5 });
    expect(temp.store.syncState.get().appliedSeq).toBe(5);
    temp.store.ingest.ingestPage([messageEntry(2, { msgId: 2, from: 'bob', to: 'alice' })]);
    expect(temp.store.syncState.get().appliedSeq).toBe(5); // never lowered
  });

  it('stops between chunks when its signal aborts, with what it stored kept and counted', async () => {
    temp = openTempStore('alice');
    const controller = new AbortController();
    const entries = Array.from({ length: 2_000 }, (_, i) => messageEntry(i + 1, { msgId: i + 1, from: 'bob', to: 'alice' }));
    const ingest = temp.store.ingest.ingestEntries(entries, { budgetMs: 1, signal: controller.signal });
    controller.abort();
    await expect(ingest).rejects.toThrow();
    const { appliedSeq } = temp.store.syncState.get();
    expect(appliedSeq).toBeGreaterThan(0);
    expect(appliedSeq).toBeLessThan(2_000);
    expect(temp.store.conversations.get('bob')?.unreadCount).toBe(appliedSeq);
  });

  it('leaves transient entries (seq 0) to the caller', () => {
    temp = openTempStore('alice');
    const result = temp.store.ingest.ingestPage([messageEntry(0, { msgId: 5, from: 'bob', to: 'alice', text: 'typing-ish' })]);
    expect(result).toMatchObject({ transientEntries: 1, storedEntries: 0, appliedSeq: 0 });
    expect(temp.store.messages.getByMsgId(5)).toBeUndefined();
  });

  it('ingests in chunks with the same outcome as one page', async () => {
    temp = openTempStore('alice');
    const entries = Array.from({ length: 3_000 }, (_, i) =>
      messageEntry(i + 1, { msgId: i + 1, from: i % 3 === 0 ? 'alice' : 'bob', to: i % 3 === 0 ? 'bob' : 'alice', text: `m${i}` }),
    );
    const result = await temp.store.ingest.ingestEntries(entries, { budgetMs: 2 });
    expect(result.messages).toHaveLength(3_000);
    expect(result.appliedSeq).toBe(3_000);
    expect(temp.store.conversations.get('bob')).toMatchObject({ unreadCount: 2_000, lastPreview: 'm2999' });
    const again = await temp.store.ingest.ingestEntries(entries);
    expect(again.messages).toHaveLength(0);
    expect(temp.store.conversations.get('bob')?.unreadCount).toBe(2_000);
  });
});

describe('conversation settings', () => {
  it('keep drafts, pins and mutes, and list pinned conversations first', () => {
    temp = openTempStore('alice');
    temp.store.ingest.ingestPage([
      messageEntry(1, { msgId: 1, from: 'bob', to: 'alice', text: 'older' }),
      messageEntry(2, { msgId: 2, from: 'carol', to: 'alice', text: 'newer' }),
    ]);
    expect(temp.store.conversations.list().map((c) => c.id)).toEqual(['carol', 'bob']);
    temp.store.conversations.setPinned('bob', true);
    temp.store.conversations.setMuted('carol', true);
    temp.store.conversations.setDraft('bob', '半句话', 1234);
    const reopened = temp.reopen();
    expect(reopened.conversations.list().map((c) => c.id)).toEqual(['bob', 'carol']);
    expect(reopened.conversations.get('bob')).toMatchObject({ pinned: true, muted: false, draft: '半句话', draftMs: 1234 });
    expect(reopened.conversations.get('carol')).toMatchObject({ pinned: false, muted: true });
    reopened.conversations.setPinned('bob', false);
    expect(reopened.conversations.list().map((c) => c.id)).toEqual(['carol', 'bob']);
  });

  it('pages back through a conversation by time without gaps or repeats', () => {
    temp = openTempStore('alice');
    temp.store.ingest.ingestPage(
      Array.from({ length: 25 }, (_, i) =>
        // pairs share a time, so the cursor needs the local id too
        messageEntry(i + 1, { msgId: i + 1, from: 'bob', to: 'alice', text: `n${i}`, timeMs: 1000 + Math.floor(i / 2) }),
      ),
    );
    const seen: string[] = [];
    let page = temp.store.messages.page('bob', 10);
    while (page.length > 0) {
      seen.unshift(...page.map((m) => m.text));
      const oldest = page[0]!;
      page = temp.store.messages.page('bob', 10, { beforeTimeMs: oldest.timeMs, beforeLocalId: oldest.localId });
    }
    expect(seen).toEqual(Array.from({ length: 25 }, (_, i) => `n${i}`));
    expect(temp.store.messages.page('bob', 100, { beforeTimeMs: 1002 }).map((m) => m.text)).toEqual(['n0', 'n1', 'n2', 'n3']);
  });

  it('removing a conversation hides its messages for good', () => {
    temp = openTempStore('alice');
    const page = [messageEntry(1, { msgId: 1, from: 'bob', to: 'alice', text: 'gone' })];
    temp.store.ingest.ingestPage(page);
    temp.store.conversations.remove('bob');
    temp.store.ingest.ingestPage(page);
    expect(temp.store.conversations.get('bob')).toBeUndefined();
    expect(temp.store.messages.page('bob', 10)).toEqual([]);
    expect(temp.store.search.search('gone')).toEqual([]);
  });
});
