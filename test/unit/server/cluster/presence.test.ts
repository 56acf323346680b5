import { describe, expect, it } from 'vitest';
import { bodyFrame, decodeFrame, DEFAULT_WIRE_LIMITS } from '../../../../protocol';
import { loggedInBefore } from '../../../../server/cluster/cluster-node';
import { createPresenceAnnouncer } from '../../../../server/cluster/presence-announcer';
import { decodePresence, encodePresence, type PresenceMessage } from '../../../../server/cluster/presence-messages';
import { createPresenceMirror } from '../../../../server/cluster/presence-mirror';
import { decodeRoutedPushes, encodeRoutedPushes, type RoutedPush, type RoutedShared } from '../../../../server/cluster/route-codec';

function mirrorOf(self = 'b') {
  let now = 0;
  const wants: string[] = [];
  const mirror = createPresenceMirror({ self, now: () => now, silenceMs: 3_000, wantRetryMs: 1_000, want: (target) => wants.push(target) });
  return { mirror, wants, advance: (ms: number) => (now += ms) };
}

/** Through the wire form, as a node receives it. */
const wire = (message: PresenceMessage): PresenceMessage => decodePresence(encodePresence(message));

describe('cluster presence', () => {
  it('mirrors a node from its snapshot and keeps it by its deltas', () => {
    const a = createPresenceAnnouncer('a', 'e1');
    const { mirror, wants } = mirrorOf();
    a.up(['s1', 'app', 'alice', 1, 1, 'desk']);
    for (const part of a.snapshot(['127.0.0.1:1'], 2_000)) mirror.apply(wire(part));
    expect(mirror.isOnline('app', 'alice')).toBe(true);
    a.up(['s2', 'app', 'bob', 2, 0, '']);
    a.down('s1');
    mirror.apply(wire(a.takeDelta()!));
    expect(mirror.isOnline('app', 'alice')).toBe(false);
    expect(mirror.sessionsOf('app', 'bob')).toEqual([{ node: 'a', sessionId: 's2', appId: 'app', userId: 'bob', device: 2, minor: 0, deviceId: '' }]);
    mirror.apply(wire(a.beat(['127.0.0.1:1'])));
    expect(wants).toEqual([]);
    expect(mirror.nodes()).toEqual([{ node: 'a', addresses: ['127.0.0.1:1'], sessions: 1, synced: true }]);
  });

  it('asks for a snapshot when a delta is missed, and is whole again after it', () => {
    const a = createPresenceAnnouncer('a', 'e1');
    const { mirror, wants } = mirrorOf();
    for (const part of a.snapshot([], 2)) mirror.apply(part);
    a.up(['s1', 'app', 'alice', 1, 1, '']);
    a.takeDelta(); // lost on the way
    a.up(['s2', 'app', 'bob', 1, 1, '']);
    mirror.apply(a.takeDelta()!);
    expect(wants).toEqual(['a']);
    // a beat meanwhile does not ask again within the retry time
    mirror.apply(a.beat([]));
    expect(wants).toEqual(['a']);
    a.up(['s3', 'app', 'carol', 1, 1, '']);
    const parts = a.snapshot([], 2);
    expect(parts.map((part) => part.parts)).toEqual([2, 2]);
    for (const part of parts) mirror.apply(part);
    expect(['alice', 'bob', 'carol'].map((user) => mirror.isOnline('app', user))).toEqual([true, true, true]);
    mirror.apply(a.beat([]));
    expect(wants).toEqual(['a']);
  });

  it('notices a missed delta from the next beat alone', () => {
    const a = createPresenceAnnouncer('a', 'e1');
    const { mirror, wants } = mirrorOf();
    for (const part of a.snapshot([], 10)) mirror.apply(part);
    a.up(['s1', 'app', 'alice', 1, 1, '']);
    a.takeDelta();
    mirror.apply(a.beat([]));
    expect(wants).toEqual(['a']);
  });

  it('forgets a silent node, a node that says bye, and a restarted node’s old sessions', () => {
    const { mirror, advance } = mirrorOf();
    const a = createPresenceAnnouncer('a', 'e1');
    a.up(['s1', 'app', 'alice', 1, 1, '']);
    for (const part of a.snapshot([], 10)) mirror.apply(part);
    const restarted = createPresenceAnnouncer('a', 'e2');
    mirror.apply(restarted.beat([]));
    expect(mirror.isOnline('app', 'alice')).toBe(false);
    const c = createPresenceAnnouncer('c', 'e3');
    c.up(['s9', 'app', 'dan', 1, 1, '']);
    for (const part of c.snapshot([], 10)) mirror.apply(part);
    mirror.apply({ t: 'bye', node: 'c', epoch: 'e3' });
    expect(mirror.isOnline('app', 'dan')).toBe(false);
    advance(3_001);
    expect(mirror.dropSilent()).toEqual(['a']);
    expect(mirror.nodes()).toEqual([]);
  });

  it('keeps the nodes it heard before this node itself was blocked (their silence was ours)', () => {
    const { mirror, advance } = mirrorOf();
    const a = createPresenceAnnouncer('a', 'e1');
    a.up(['s1', 'app', 'alice', 1, 1, '']);
    for (const part of a.snapshot([], 10)) mirror.apply(part);
    advance(10_000);
    mirror.touchAll();
    expect(mirror.dropSilent()).toEqual([]);
    expect(mirror.isOnline('app', 'alice')).toBe(true);
  });

  it('orders two logins by time, then by node id', () => {
    expect(loggedInBefore(1_000, 'n2', 2_000, 'n1')).toBe(true);
    expect(loggedInBefore(2_000, 'n1', 1_000, 'n2')).toBe(false);
    expect(loggedInBefore(1_000, 'n1', 1_000, 'n2')).toBe(true);
    expect(loggedInBefore(1_000, 'n2', 1_000, 'n1')).toBe(false);
  });

  it('never announces a session that came up and went down in one turn', () => {
    const a = createPresenceAnnouncer('a', 'e1');
    a.up(['s1', 'app', 'alice', 1, 1, '']);
    a.down('s1');
    expect(a.takeDelta()).toBeUndefined();
    expect(a.size).toBe(0);
  });

  it('refuses what is not a presence message', () => {
    expect(() => decodePresence(Buffer.from('{"t":"nope","node":"a","epoch":"e"}'))).toThrow(TypeError);
    expect(() => decodePresence(Buffer.from('not json'))).toThrow();
  });

  it('carries routed pushes with each shared frame once', () => {
    const shared = bodyFrame('TYPING', { from: 'alice', to: 'g1' });
    const own = bodyFrame('NOTIFY', { maxSeq: 7n });
    const bytes = encodeRoutedPushes([
      { appId: 'app', userId: 'bob', minMinor: 0, exceptSessionId: '', frame: shared },
      { appId: 'app', userId: 'carol', minMinor: 1, exceptSessionId: 's1', frame: shared },
      { appId: 'app', userId: 'carol', minMinor: 0, exceptSessionId: '', frame: own },
    ]);
    const pushes = decodeRoutedPushes(bytes) as RoutedPush[];
    expect(pushes.map((push) => [push.userId, push.minMinor, push.exceptSessionId])).toEqual([
      ['bob', 0, ''],
      ['carol', 1, 's1'],
      ['carol', 0, ''],
    ]);
    expect(pushes[0]!.frame).toBe(pushes[1]!.frame);
    expect(decodeFrame(pushes[2]!.frame, DEFAULT_WIRE_LIMITS)).toMatchObject({ name: 'NOTIFY', body: { maxSeq: 7n } });
  });

  it('carries a large group’s frames for many users in order, beside single pushes', () => {
    const first = bodyFrame('TYPING', { from: 'alice', to: 'g1' });
    const second = bodyFrame('NOTIFY', { maxSeq: 9n });
    const bytes = encodeRoutedPushes([
      { appId: 'app', userId: 'bob', minMinor: 0, exceptSessionId: '', frame: first },
      { appId: 'app', userIds: ['bob', 'carol'], minMinor: 1, frames: [first, second] },
    ]);
    const [single, shared] = decodeRoutedPushes(bytes) as [RoutedPush, RoutedShared];
    expect(single.userId).toBe('bob');
    expect(shared).toMatchObject({ appId: 'app', userIds: ['bob', 'carol'], minMinor: 1 });
    expect(shared.frames[0]).toBe(single.frame);
    expect(decodeFrame(shared.frames[1]!, DEFAULT_WIRE_LIMITS)).toMatchObject({ name: 'NOTIFY', body: { maxSeq: 9n } });
  });
});
