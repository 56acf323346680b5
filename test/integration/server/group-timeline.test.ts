import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import { TestClient } from '../../support/test-client';
import { isMessage, openChatWorld, type ChatWorld, type Session } from './chat-fixture';

/**
 * Large groups by read diffusion, with a threshold of 3 members so that small test groups take
 * that path: stored once in the group's timeline, pushed to online members, pulled by
 * TIMELINE_SYNC within each member's ranges, confirmed per timeline.
 */
let world: ChatWorld;
afterEach(async () => {
  await world.close();
});

const THRESHOLD = 3;

async function open(): Promise<void> {
  world = await openChatWorld({ tuning: { groupTimelineThreshold: THRESHOLD } });
}

async function createGroup(owner: Session, members: string[]): Promise<string> {
  const result = await owner.group({ case: 'create', value: { name: 'Big', mode: pb.GroupMode.PUBLIC, members } });
  return (result.value as pb.GroupInfo).groupId;
}

/** Every timeline entry the session may read, by TIMELINE_SYNC pages, as [groupId, seq, text or case]. */
async function pullTimelines(session: Session, cursors = new Map<string, bigint>(), limit = 200): Promise<[string, number, string][]> {
  const seen: [string, number, string][] = [];
  for (;;) {
    const page = await session.client.ask(
      'TIMELINE_SYNC',
      { cursors: [...cursors].map(([groupId, seq]) => ({ groupId, seq })), limit },
      'TIMELINE_PAGE',
    );
    for (const slice of page.slices) {
      for (const entry of slice.entries) {
        expect(entry.groupId).toBe(slice.groupId);
        const label = entry.item.case === 'message' ? entry.item.value.text : String(entry.item.case);
        seen.push([slice.groupId, Number(entry.seq), label]);
      }
      cursors.set(slice.groupId, slice.more ? slice.entries.at(-1)!.seq : slice.maxSeq);
    }
    if (!page.more) return seen;
  }
}

/** The inbox alone, by SYNC pages (the fixture's syncAll adds the timelines). */
async function inbox(session: Session): Promise<pb.Entry[]> {
  const entries: pb.Entry[] = [];
  let after = 0n;
  for (;;) {
    const page = await session.client.ask('SYNC', { afterSeq: after, limit: 200 }, 'SYNC_PAGE');
    entries.push(...page.entries);
    if (page.entries.length > 0) after = page.entries.at(-1)!.seq;
    if (!page.more) return entries;
  }
}

const texts = (entries: [string, number, string][]) => entries.map(([, , text]) => text);

describe('large groups by read diffusion (threshold 3)', () => {
  it('a group crossing the threshold keeps order and loses nothing: the inbox before, the timeline after', async () => {
    await open();
    const owner = await world.login('owner01');
    const groupId = await createGroup(owner, ['ann01']);
    await owner.text(groupId, 'small 1', 1);
    await owner.text(groupId, 'small 2', 2);
    await owner.group({ case: 'invite', value: { groupId, users: ['ben01'] } });
    await owner.text(groupId, 'large 1', 3);
    await owner.text(groupId, 'large 2', 4);

    const ann = await world.login('ann01');
    const inboxTexts = (await inbox(ann)).filter(isMessage).map((e) => (e.item.value as pb.Message).text);
    expect(inboxTexts).toEqual(['small 1', 'small 2']);
    expect(await pullTimelines(ann)).toEqual([
      [groupId, 1, 'large 1'],
      [groupId, 2, 'large 2'],
    ]);
    // ben joined when the group crossed: it sees from its join on, the timeline's start
    const ben = await world.login('ben01');
    expect((await inbox(ben)).filter(isMessage)).toEqual([]);
    expect(texts(await pullTimelines(ben))).toEqual(['large 1', 'large 2']);
  });

  it('online members are pushed one timeline entry; the sender gets its own copy in its inbox', async () => {
    await open();
    const owner = await world.login('owner01');
    const groupId = await createGroup(owner, ['ann01', 'ben01']);
    const ann = await world.login('ann01');
    const pushed = ann.nextPush(isMessage);
    const sent = await owner.text(groupId, 'hello big', 1);
    const entry = await pushed;
    expect(entry).toMatchObject({ groupId, seq: 1n });
    expect(entry.item.value).toMatchObject({ msgId: sent.msgId, from: 'owner01', to: groupId, text: 'hello big' });
    // no inbox row for ann: its inbox holds the notice of the group only
    expect((await inbox(ann)).filter(isMessage)).toEqual([]);
    const own = (await inbox(owner)).filter(isMessage);
    expect(own.map((e) => [e.seq, (e.item.value as pb.Message).text])).toEqual([[sent.seq, 'hello big']]);
  });

  it('SENT says the message\'s timeline seq; the sender\'s other sessions are pushed the entry, the sending one is not', async () => {
    await open();
    const phone = await world.login('owner01', { deviceId: 'phone' });
    const groupId = await createGroup(phone, ['ann01', 'ben01']);
    const desk = await world.login('owner01', { deviceId: 'desk' });
    const ann = await world.login('ann01');
    const inTimeline = (entry: pb.Entry) => entry.groupId === groupId;
    const toDesk = desk.nextPush(inTimeline);
    const toAnn = ann.nextPush(inTimeline);
    const first = await phone.text(groupId, 'from the phone', 1);
    expect(first.timelineSeq).toBe(1n);
    expect(await toAnn).toMatchObject({ seq: 1n });
    // the desk's cursor moves with it, so ann's reply is no gap there
    const atDesk = await toDesk;
    expect(atDesk).toMatchObject({ seq: 1n });
    expect(atDesk.item.value).toMatchObject({ msgId: first.msgId, from: 'owner01', text: 'from the phone' });
    const reply = await ann.text(groupId, 'reply', 2);
    expect(reply.timelineSeq).toBe(2n);
    // the phone's first timeline push is ann's reply: its own entry came as SENT only
    expect(await phone.nextPush(inTimeline)).toMatchObject({ seq: 2n });
    expect(await desk.nextPush(inTimeline)).toMatchObject({ seq: 2n });
    // a resend is answered as the first SENT, its timeline seq included (the client needs no pull)
    const again = await phone.text(groupId, 'from the phone', 1);
    expect([again.msgId, again.seq, again.timelineSeq]).toEqual([first.msgId, first.seq, 1n]);
    // a one-to-one message has no timeline seq
    expect((await phone.text('ann01', 'direct', 3)).timelineSeq).toBe(0n);
  });

  it('a member joining sees from the join on, a kicked member sees nothing after the kick', async () => {
    await open();
    const owner = await world.login('owner01');
    const groupId = await createGroup(owner, ['ann01', 'ben01']);
    await owner.text(groupId, 'before carl', 1);
    const carl = await world.login('carl01');
    await carl.group({ case: 'join', value: { groupId } });
    await owner.text(groupId, 'with carl', 2);
    await owner.group({ case: 'kick', value: { groupId, users: ['carl01'] } });
    await owner.text(groupId, 'after the kick', 3);
    expect(await pullTimelines(carl)).toEqual([[groupId, 2, 'with carl']]);
    // and asking past its range, or from a cursor of its own choosing, shows nothing more
    expect(await pullTimelines(carl, new Map([[groupId, 2n]]))).toEqual([]);
    expect(await pullTimelines(carl, new Map([[groupId, 0n]]))).toEqual([[groupId, 2, 'with carl']]);
    // a stranger reads nothing of it
    const stranger = await world.login('stranger01');
    expect(await pullTimelines(stranger, new Map([[groupId, 0n]]))).toEqual([]);
    // rejoining opens a new range at the head: what was said while away stays unseen
    await carl.group({ case: 'join', value: { groupId } });
    await owner.text(groupId, 'carl is back', 4);
    expect(texts(await pullTimelines(carl))).toEqual(['with carl', 'carl is back']);
  });

  it('a change of a busy group reaches its online members after the messages sent before it, not ahead of them', async () => {
    // a long interval: the second message surely waits for it, as in any busy spell
    world = await openChatWorld({ tuning: { groupTimelineThreshold: THRESHOLD, largeGroupPushIntervalMs: 2_000 } });
    const owner = await world.login('owner01');
    const groupId = await createGroup(owner, ['ann01', 'ben01', 'carl01']);
    const ann = await world.login('ann01');
    await owner.text(groupId, 't1', 1);
    await owner.text(groupId, 't2', 2);
    await owner.group({ case: 'kick', value: { groupId, users: ['carl01'] } });
    const label = (entry: pb.Entry): string =>
      entry.item.case === 'message' ? entry.item.value.text : entry.item.case === 'notice' ? `notice ${entry.item.value.kind}` : String(entry.item.case);
    const pushed = (): string[] => ann.client.pushes.flatMap((f) => (f.name === 'PUSH' ? [label(f.body)] : []));
    const deadline = Date.now() + 5_000;
    while (pushed().length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(pushed()).toEqual(['t1', 't2', `notice ${pb.NoticeKind.KICK}`]);
  });

  it('a mention in a busy group reaches the mentioned member after the messages sent before it', async () => {
    world = await openChatWorld({ tuning: { groupTimelineThreshold: THRESHOLD, largeGroupPushIntervalMs: 2_000 } });
    const owner = await world.login('owner01');
    const groupId = await createGroup(owner, ['ann01', 'ben01']);
    const ann = await world.login('ann01');
    await owner.text(groupId, 't1', 1);
    await owner.text(groupId, 't2', 2);
    await owner.text(groupId, 't3 @ann', 3, { mentions: ['ann01'] });
    const texts = (): string[] => [
      ...new Set(ann.client.pushes.flatMap((f) => (f.name === 'PUSH' && f.body.item.case === 'message' ? [f.body.item.value.text] : []))),
    ];
    const deadline = Date.now() + 5_000;
    while (texts().length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(texts()).toEqual(['t1', 't2', 't3 @ann']);
  });

  it('an offline member catches up exactly once, in order, across pages and groups', async () => {
    await open();
    const owner = await world.login('owner01');
    const a = await createGroup(owner, ['ann01', 'ben01']);
    const b = await createGroup(owner, ['ann01', 'ben01']);
    for (let i = 1; i <= 25; i++) await owner.text(i % 2 === 0 ? a : b, `m${i}`, i);
    const ann = await world.login('ann01');
    const all = await pullTimelines(ann, new Map(), 7);
    expect(all).toHaveLength(25);
    for (const groupId of [a, b]) {
      const seqs = all.filter(([g]) => g === groupId).map(([, seq]) => seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    }
    expect(new Set(texts(all)).size).toBe(25);
    // confirmed per timeline: the server keeps it, never past what the member may read
    await ann.client.ask('TIMELINE_CONFIRM', { cursors: [{ groupId: a, seq: 999n }, { groupId: 'gnope', seq: 5n }] }, 'OK');
  });

  it('mentions reach the mentioned member\'s inbox as well; a revoke reaches everyone through the timeline', async () => {
    await open();
    const owner = await world.login('owner01');
    const groupId = await createGroup(owner, ['ann01', 'ben01']);
    const sent = await owner.text(groupId, 'ann, look', 1, { mentions: ['ann01'] });
    await owner.client.ask('REVOKE', { msgId: sent.msgId }, 'OK');
    const ann = await world.login('ann01');
    const inboxMessages = (await inbox(ann)).filter(isMessage);
    expect(inboxMessages.map((e) => (e.item.value as pb.Message).msgId)).toEqual([sent.msgId]);
    const ben = await world.login('ben01');
    expect(texts(await pullTimelines(ben))).toEqual(['', 'revoked']);
    expect(texts(await pullTimelines(ann))).toEqual(['', 'revoked']);
  });

  it('a 2.0 client is never pushed a timeline entry: its user\'s inbox gets copies, pushed as inbox entries', async () => {
    await open();
    const owner = await world.login('owner01');
    const groupId = await createGroup(owner, ['ann01', 'ben01']);
    const old = await TestClient.connect(world.server.port);
    await old.hello(2, 0);
    const oldLogin = await old.loginWithAppToken(world.server.appId, world.server.appToken, 'ann01');
    const current = await world.login('ann01', { device: pb.DeviceKind.MOBILE });
    const pushed = current.nextPush((e) => isMessage(e) && e.groupId !== '');
    const oldPushed = old.waitFor((f) => f.name === 'PUSH');
    await owner.text(groupId, 'for everyone', 1);
    expect(await pushed).toMatchObject({ groupId, seq: 1n });
    const copy = (await oldPushed).body as pb.Entry;
    expect(copy).toMatchObject({ groupId: '', seq: oldLogin.maxSeq + 1n });
    expect(copy.item.value).toMatchObject({ text: 'for everyone', to: groupId });
    await old.close();
  });

  it('a 2.0 client that was offline finds what it may read of large groups in its inbox, each once', async () => {
    await open();
    const owner = await world.login('owner01');
    const groupId = await createGroup(owner, ['ann01', 'ben01']);
    await owner.text(groupId, 'one', 1);
    await owner.text(groupId, 'ann, two', 2, { mentions: ['ann01'] });
    const gone = await owner.text(groupId, 'three', 3);
    await owner.client.ask('REVOKE', { msgId: gone.msgId }, 'OK');
    await owner.group({ case: 'kick', value: { groupId, users: ['ann01'] } });
    await owner.text(groupId, 'after the kick', 4);
    const old = await TestClient.connect(world.server.port);
    await old.hello(2, 0);
    const login = await old.loginWithAppToken(world.server.appId, world.server.appToken, 'ann01');
    const session: Session = { client: old } as Session;
    const entries = await inbox(session);
    expect(BigInt(entries.length)).toBe(login.maxSeq);
    const seen = entries.filter((e) => e.item.case !== 'notice').map((e) => (e.item.case === 'message' ? e.item.value.text : e.item.case));
    // the mention was in the inbox from the start; the copies follow (the revoked one a shell, then its revoke)
    expect(seen).toEqual(['ann, two', 'one', '', 'revoked']);
    // a later SYNC copies nothing twice
    expect(await inbox(session)).toHaveLength(entries.length);
    await old.close();
  });

  it('a 2.0 client\'s backlog longer than one copy arrives whole and in order over several SYNCs', async () => {
    world = await openChatWorld({ tuning: { groupTimelineThreshold: THRESHOLD, legacyCopyEntriesPerCall: 3 } });
    const owner = await world.login('owner01');
    const groupId = await createGroup(owner, ['ann01', 'ben01']);
    const sent = [];
    for (let i = 1; i <= 8; i++) sent.push(`m${i}`);
    for (const [i, text] of sent.entries()) await owner.text(groupId, text, i + 1);
    const old = await TestClient.connect(world.server.port);
    await old.hello(2, 0);
    const login = await old.loginWithAppToken(world.server.appId, world.server.appToken, 'ann01');
    const session: Session = { client: old } as Session;
    const notices = (await world.login('ben01').then((ben) => inbox(ben))).length;
    // the login copied one bounded part only
    expect(login.maxSeq).toBe(BigInt(notices + 3));
    const messages = (await inbox(session)).filter(isMessage).map((e) => (e.item.value as pb.Message).text);
    expect(messages).toEqual(sent);
    expect((await inbox(session)).filter(isMessage)).toHaveLength(8);
    await old.close();
  });

  it('members still cannot post once kicked, and the timeline stays theirs up to the kick', async () => {
    await open();
    const owner = await world.login('owner01');
    const groupId = await createGroup(owner, ['ann01', 'ben01']);
    const ann = await world.login('ann01');
    await ann.text(groupId, 'from ann', 1);
    await owner.group({ case: 'kick', value: { groupId, users: ['ann01'] } });
    await expect(ann.text(groupId, 'again', 2)).rejects.toMatchObject({ code: ErrorCode.NOT_GROUP_MEMBER });
    expect(texts(await pullTimelines(ann))).toEqual(['from ann']);
  });
});
