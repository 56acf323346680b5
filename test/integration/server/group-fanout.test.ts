import { randomInt } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { pb } from '../../../protocol';
import { openChatWorld, type ChatWorld, type Session } from './chat-fixture';

/**
 * A large group's pushes (read diffusion, threshold 3 here) leave coalesced per group: the first
 * message after a quiet spell at once, those sent while the group is busy together when
 * `largeGroupPushIntervalMs` is up, as one write per member. Each member still gets each message
 * once, in timeline order, and only what its ranges allow; a member that does not read is bounded
 * by the connection's write limits and holds up nobody.
 */
let world: ChatWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const THRESHOLD = 3;
/** Long, so that a loaded machine cannot let the interval pass between two steps of a test. */
const INTERVAL_MS = 1_000;
const FAST = { requestsPerSecond: 100_000, requestBurst: 100_000 };

async function createGroup(owner: Session, members: string[]): Promise<string> {
  const result = await owner.group({ case: 'create', value: { name: 'Big', mode: pb.GroupMode.PUBLIC, members } });
  return (result.value as pb.GroupInfo).groupId;
}

/** The texts of the timeline messages pushed to a session so far, with their seqs. */
function pushedTimeline(session: Session, groupId: string): [number, string][] {
  return session.client.pushes
    .filter((frame) => frame.name === 'PUSH' && frame.body.groupId === groupId && frame.body.item.case === 'message')
    .map((frame) => {
      const entry = frame.body as pb.Entry;
      return [Number(entry.seq), (entry.item.value as pb.Message).text];
    });
}

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Waits until the session was pushed this timeline text (leaving the pushes in place). */
async function pushedText(session: Session, groupId: string, text: string): Promise<void> {
  await until(() => pushedTimeline(session, groupId).some(([, pushed]) => pushed === text));
}

const isText = (text: string) => (entry: pb.Entry) => entry.item.case === 'message' && entry.item.value.text === text;

describe('large-group pushes, coalesced per group', () => {
  it('messages sent while the group is busy leave together when the interval is up, in one write', async () => {
    const interval = INTERVAL_MS;
    world = await openChatWorld({ tuning: { ...FAST, groupTimelineThreshold: THRESHOLD, largeGroupPushIntervalMs: interval } });
    const owner = await world.login('owner01');
    const ann = await world.login('ann01');
    await world.login('ben01');
    const groupId = await createGroup(owner, ['ann01', 'ben01']);

    const firstSentAt = Date.now();
    // its push left right after its commit, before its SENT: the group is busy from then on
    await owner.text(groupId, 'first', 1);
    await Promise.all([owner.text(groupId, 'second', 2), owner.text(groupId, 'third', 3)]);
    await ann.nextPush(isText('first'));
    let chunks = 0;
    ann.client.socket.on('data', () => chunks++);
    await ann.nextPush(isText('second'), 5_000);
    const secondAt = Date.now();
    await ann.nextPush(isText('third'), 100);
    // the interval's timer never fires early, however loaded the machine
    expect(secondAt - firstSentAt).toBeGreaterThanOrEqual(interval);
    expect(chunks).toBe(1);
  });

  it('a burst reaches every member once each, in timeline order', async () => {
    world = await openChatWorld({ tuning: { ...FAST, groupTimelineThreshold: THRESHOLD, largeGroupPushIntervalMs: 20 } });
    const owner = await world.login('owner01');
    const members = await Promise.all(['ann01', 'ben01', 'carl01'].map((id) => world!.login(id)));
    const groupId = await createGroup(owner, ['ann01', 'ben01', 'carl01']);
    const texts = Array.from({ length: 120 }, (_, i) => `burst ${i}`);
    // in waves, so that some land in one turn and some across intervals
    for (let wave = 0; wave < texts.length; wave += 30) {
      await Promise.all(texts.slice(wave, wave + 30).map((text, i) => owner.text(groupId, text, wave + i + 1)));
    }
    for (const member of members) {
      await until(() => pushedTimeline(member, groupId).length >= texts.length);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const pushed = pushedTimeline(member, groupId);
      expect(pushed.map(([, text]) => text)).toEqual(texts);
      expect(pushed.map(([seq]) => seq)).toEqual(texts.map((_, i) => i + 1));
    }
  });

  it('a member kicked while messages wait gets those sent before the kick and none after', async () => {
    world = await openChatWorld({ tuning: { ...FAST, groupTimelineThreshold: THRESHOLD, largeGroupPushIntervalMs: INTERVAL_MS } });
    const owner = await world.login('owner01');
    const ann = await world.login('ann01');
    const ben = await world.login('ben01');
    await world.login('carl01');
    const groupId = await createGroup(owner, ['ann01', 'ben01', 'carl01']);
    await owner.text(groupId, 'before', 1);
    await pushedText(ben, groupId, 'before');
    // the group is busy now: these wait for the interval, with the kick between them
    await owner.text(groupId, 'still yours', 2);
    await owner.group({ case: 'kick', value: { groupId, users: ['ben01'] } });
    await owner.text(groupId, 'not yours', 3);
    await pushedText(ann, groupId, 'not yours');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(pushedTimeline(ann, groupId).map(([, text]) => text)).toEqual(['before', 'still yours', 'not yours']);
    expect(pushedTimeline(ben, groupId).map(([, text]) => text)).toEqual(['before', 'still yours']);
  });

  it('a member that does not read is dropped at the write bound; the others get every message meanwhile', async () => {
    world = await openChatWorld({
      tuning: {
        ...FAST,
        groupTimelineThreshold: THRESHOLD,
        largeGroupPushIntervalMs: 5,
        contentBytesPerSecond: 1024 * 1024 * 1024,
        contentBurstBytes: 1024 * 1024 * 1024,
        writeHighWaterBytes: 64 * 1024,
        maxWriteBufferBytes: 256 * 1024,
        writeStallTimeoutMs: 300,
      },
    });
    const owner = await world.login('owner01');
    const ann = await world.login('ann01');
    const slow = await world.login('slow01');
    const groupId = await createGroup(owner, ['ann01', 'slow01']);
    slow.client.socket.pause();
    // Chinese text of random characters: about 15 KB each, and deflate leaves most of it
    const long = (n: number) => `${n}:` + Array.from({ length: 4_900 }, () => String.fromCodePoint(0x4e00 + randomInt(0x5000))).join('');
    const sent: string[] = [];
    const deadline = Date.now() + 60_000;
    while (world.server.server.stats().connections > 2 && Date.now() < deadline) {
      const wave = Array.from({ length: 20 }, (_, i) => long(sent.length + i));
      await Promise.all(wave.map((text, i) => owner.text(groupId, text, sent.length + i + 1)));
      sent.push(...wave);
    }
    expect(world.server.server.stats().connections).toBe(2);
    slow.client.socket.resume();
    await slow.client.waitClosed();
    // ann read all along and has every message, in order, once
    await until(() => pushedTimeline(ann, groupId).length >= sent.length, 20_000);
    expect(pushedTimeline(ann, groupId).map(([, text]) => text)).toEqual(sent);
  });
});
