import { afterEach, describe, expect, it } from 'vitest';
import { pb } from '../../../../protocol';
import { toConversationView } from '../../../../main/views/conversation-view';
import { messageEntry, openTempStore } from './inbox-entries';

/**
 * A group row's last line: its newest notice (a join, a rename…) when that is not older than its
 * last message, by time, and in the same millisecond by the inbox's order; the row's time never goes down.
 */
let temp: ReturnType<typeof openTempStore>;
afterEach(() => temp.dispose());

const T = 1_700_000_000_000;
const GROUP = 'gteam';

function notice(seq: number, timeMs: number, actor = 'bob') {
  return { seq, kind: pb.NoticeKind.JOIN, groupId: GROUP, actor, targets: [], text: '', timeMs, role: pb.GroupRole.NONE, muteUntilMs: 0, groupName: '', requestId: 0 };
}

describe('a group row’s last line', () => {
  it('is the notice newest by time, not the last to arrive', () => {
    temp = openTempStore('alice');
    const { notices } = temp.store;
    notices.insert(notice(10, T + 500, 'bob'));
    notices.insert(notice(11, T + 100, 'carol')); // arrived later, happened earlier
    expect(notices.latestForGroup(GROUP)).toMatchObject({ seq: 10, actor: 'bob' });
    notices.insert(notice(12, T + 500, 'dave')); // the same millisecond: the later seq
    expect(notices.latestForGroup(GROUP)?.seq).toBe(12);
    expect(notices.latestForGroup('gother')).toBeUndefined();
  });

  it('keeps the time a notice raised when a first, older message arrives', () => {
    temp = openTempStore('alice');
    const { conversations, ingest } = temp.store;
    conversations.ensure(GROUP, 0);
    expect(conversations.noteNotice(GROUP, T + 5_000)).toBe(true);
    ingest.ingestPage([messageEntry(1, { msgId: 1, from: 'bob', to: GROUP, text: 'older', timeMs: T + 1_000 })]);
    const row = conversations.get(GROUP)!;
    expect(row.lastLocalId).not.toBeNull();
    expect(row.lastTimeMs).toBe(T + 5_000);
    // a newer message still moves it on
    ingest.ingestPage([messageEntry(2, { msgId: 2, from: 'bob', to: GROUP, text: 'newer', timeMs: T + 9_000 })]);
    expect(conversations.get(GROUP)).toMatchObject({ lastTimeMs: T + 9_000, lastPreview: 'newer' });
  });

  it('shows the notice unless the last message is newer; a same-millisecond tie and no message at all show the notice', () => {
    temp = openTempStore('alice');
    const { conversations, ingest, notices } = temp.store;
    conversations.ensure(GROUP, 0);
    const empty = conversations.get(GROUP)!;
    expect(empty.lastLocalId).toBeNull();
    const joined = { ...notice(5, T + 2_000), handled: false };
    expect(toConversationView(empty, 'Team', undefined, joined)).toMatchObject({ lastNotice: { actor: 'bob' }, lastTimeMs: T + 2_000 });

    ingest.ingestPage([messageEntry(1, { msgId: 1, from: 'carol', to: GROUP, text: 'hello', timeMs: T + 3_000 })]);
    const withMessage = conversations.get(GROUP)!;
    const older = toConversationView(withMessage, 'Team', undefined, joined);
    expect(older.lastNotice).toBeUndefined();
    expect(older).toMatchObject({ lastPreview: 'hello', lastFrom: 'carol', lastTimeMs: T + 3_000 });

    const tie = toConversationView(withMessage, 'Team', undefined, { ...joined, timeMs: T + 3_000 });
    expect(tie.lastNotice).toBeDefined();
    expect(tie.lastFrom).toBeUndefined();
    expect(tie.lastTimeMs).toBe(T + 3_000);
    expect(notices.latestForGroup(GROUP)).toBeUndefined();
  });

  it('in the same millisecond, follows the inbox: a message after the notice there is the last line', () => {
    temp = openTempStore('alice');
    const { conversations, ingest, messages } = temp.store;
    conversations.ensure(GROUP, 0);
    // the create notice (seq 3), then a message of the same millisecond (seq 4): the inbox's order
    const created = { ...notice(3, T + 3_000, 'ann'), kind: pb.NoticeKind.CREATE, handled: false };
    ingest.ingestPage([messageEntry(4, { msgId: 9, from: 'eve', to: GROUP, text: 'hi', timeMs: T + 3_000 })]);
    const row = conversations.get(GROUP)!;
    const last = messages.getByLocalId(row.lastLocalId!);
    expect(toConversationView(row, 'Team', undefined, created, last)).toMatchObject({ lastPreview: 'hi', lastFrom: 'eve' });
    expect(toConversationView(row, 'Team', undefined, created, last).lastNotice).toBeUndefined();
    // a notice after it in the inbox, in that millisecond, is the last line
    expect(toConversationView(row, 'Team', undefined, { ...created, seq: 5 }, last).lastNotice).toBeDefined();
    // a large group's message keeps no inbox seq: the notice is taken as the later
    expect(toConversationView(row, 'Team', undefined, created, { ...last!, seq: null }).lastNotice).toBeDefined();
  });
});
