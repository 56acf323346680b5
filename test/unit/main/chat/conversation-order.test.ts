import { describe, expect, it } from 'vitest';
import { pb } from '../../../../protocol';
import { compareConversationItems } from '../../../../preload/api';
import type { StoredMessage, StoredNotice } from '../../../../main/store';
import { messageOrder, noticeAsMessageView, noticeOrder, toMessageView } from '../../../../main/views/message-view';
import { mergeMessages } from '../../../../renderer/src/stores/message-list';

/**
 * A group notice and a message of the same millisecond sit in the chat, the core's pages and the
 * CLI in the order the server gave them in the inbox, whichever came first.
 */
const T = 1_700_000_000_000;
const GROUP = 'gteam';

function message(localId: number, seq: number | null, msgId: number | null, timeMs = T, timelineSeq: number | null = null, conversation = GROUP): StoredMessage {
  return {
    localId,
    msgId,
    clientMsgId: null,
    conversation,
    from: 'bot01',
    to: conversation,
    outgoing: false,
    type: pb.MessageType.TEXT,
    text: `m${localId}`,
    body: {},
    timeMs,
    seq,
    timelineSeq,
    state: 'received',
    mentionsMe: false,
    burnAfterReading: false,
    revoked: false,
    revokedBy: null,
    burned: false,
  };
}

function notice(seq: number, timeMs = T): StoredNotice {
  return {
    seq,
    kind: pb.NoticeKind.CREATE,
    groupId: GROUP,
    actor: 'ann01',
    targets: ['bot01'],
    text: '',
    timeMs,
    role: pb.GroupRole.NONE,
    muteUntilMs: 0,
    groupName: 'team',
    requestId: 0,
    handled: false,
  };
}

const keysOf = (list: { key: string }[]): string[] => list.map((item) => item.key);

describe('the order of a conversation’s items', () => {
  it('puts a notice before a message of the same millisecond that came after it in the inbox', () => {
    const created = notice(7);
    const welcome = message(1, 8, 100);
    expect(compareConversationItems(noticeOrder(created), messageOrder(welcome))).toBeLessThan(0);
    expect(compareConversationItems(messageOrder(welcome), noticeOrder(created))).toBeGreaterThan(0);
    // the chat's list, as the page merges the core's views in either order of arrival
    const views = [toMessageView(welcome), noticeAsMessageView(created)];
    expect(keysOf(mergeMessages([], views))).toEqual(['n7', '1']);
    expect(keysOf(mergeMessages([], [...views].reverse()))).toEqual(['n7', '1']);
    expect(keysOf(mergeMessages([views[1]!], [views[0]!]))).toEqual(['n7', '1']);
  });

  it('puts a message before a notice of the same millisecond that came after it in the inbox', () => {
    const said = message(1, 7, 100);
    const kicked = notice(8);
    expect(compareConversationItems(messageOrder(said), noticeOrder(kicked))).toBeLessThan(0);
    expect(compareConversationItems(noticeOrder(kicked), messageOrder(said))).toBeGreaterThan(0);
    const views = [noticeAsMessageView(kicked), toMessageView(said)];
    expect(keysOf(mergeMessages([], views))).toEqual(['1', 'n8']);
    expect(keysOf(mergeMessages([], [...views].reverse()))).toEqual(['1', 'n8']);
  });

  it('orders by time before any seq', () => {
    expect(compareConversationItems(noticeOrder(notice(9, T)), messageOrder(message(1, 3, 100, T + 1)))).toBeLessThan(0);
    expect(compareConversationItems(noticeOrder(notice(2, T + 1)), messageOrder(message(1, 3, 100, T)))).toBeGreaterThan(0);
  });

  it('without two inbox seqs keeps the tie-breaks it had: the server id, a notice after a message, then the key', () => {
    // a large group's message comes from its timeline and has no inbox seq
    const timeline = message(4, null, 100);
    const created = notice(7);
    expect(compareConversationItems(messageOrder(timeline), noticeOrder(created))).toBeLessThan(0);
    // two messages of one millisecond, one from the inbox and one from a timeline: the server's ids
    expect(compareConversationItems(messageOrder(message(5, 9, 101)), messageOrder(timeline))).toBeGreaterThan(0);
    // an unsent message has neither seq nor id: its row id
    expect(compareConversationItems(messageOrder(message(6, null, null)), messageOrder(message(7, null, null)))).toBeLessThan(0);
    expect(compareConversationItems(noticeOrder(created), noticeOrder(created))).toBe(0);
  });

  it('orders two messages of one millisecond from a large group\'s timeline by their timeline seqs, not their ids', () => {
    // the server numbers its messages and a timeline apart (a cluster's nodes pick ids before one
    // of them takes the timeline's head), so a higher id can have the earlier place in the timeline
    const first = message(1, null, 205, T, 41);
    const second = message(2, null, 204, T, 42);
    expect(compareConversationItems(messageOrder(first), messageOrder(second))).toBeLessThan(0);
    expect(compareConversationItems(messageOrder(second), messageOrder(first))).toBeGreaterThan(0);
    // the page's list, whichever arrived first
    const views = [toMessageView(second), toMessageView(first)];
    expect(views.map((v) => v.timelineSeq)).toEqual([42, 41]);
    expect(keysOf(mergeMessages([], views))).toEqual(['1', '2']);
    expect(keysOf(mergeMessages([views[0]!], [views[1]!]))).toEqual(['1', '2']);
    // one's own message has its inbox seq and its timeline seq: the timeline places it among the others
    const own = message(3, 90, 206, T, 40);
    expect(compareConversationItems(messageOrder(own), messageOrder(first))).toBeLessThan(0);
  });

  it('compares timeline seqs only within one group: two groups\' timelines of one millisecond fall back to the ids', () => {
    const here = message(1, null, 300, T, 5, 'gone');
    const there = message(2, null, 301, T, 2, 'gtwo');
    expect(compareConversationItems(messageOrder(here), messageOrder(there))).toBeLessThan(0);
    expect(compareConversationItems(messageOrder(there), messageOrder(here))).toBeGreaterThan(0);
  });

  it('leaves a large group\'s notice after a timeline message of its millisecond: the notice has no timeline seq', () => {
    const said = message(1, null, 100, T, 7);
    const renamed = notice(3);
    expect(compareConversationItems(messageOrder(said), noticeOrder(renamed))).toBeLessThan(0);
    expect(compareConversationItems(noticeOrder(renamed), messageOrder(said))).toBeGreaterThan(0);
  });
});
