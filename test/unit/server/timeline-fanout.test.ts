import { create } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { decodeFrame, ManualClock, pb, type Frame } from '../../../protocol';
import type { Delivery } from '../../../server/handler-types';
import { createTimelineFanout, type TimelinePush } from '../../../server/timeline';

/**
 * The fan-out's schedule, with a clock moved by hand, through a Delivery that has no bulk send
 * (as one that routes between nodes may be): every entry reaches each reader through
 * toUserSince, in order, once; 2.0 members are found with onlineBelow and get inbox copies.
 */
interface Sent {
  readonly userId: string;
  readonly seq: number;
  /** The session left out (the sender's, which has SENT). */
  readonly except?: string;
}

function recordingDelivery(legacyUsers: readonly string[] = []): { delivery: Delivery; sent: Sent[] } {
  const sent: Sent[] = [];
  const delivery: Delivery = {
    toUser: () => 0,
    toUserSince: (_appId, userId, _minMinor, frame: Frame, except?: string) => {
      const decoded = decodeFrame(frame, { maxBodyBytes: 1 << 20 });
      if (decoded.name === 'PUSH') sent.push({ userId, seq: Number(decoded.body.seq), ...(except === undefined ? {} : { except }) });
      return 1;
    },
    onlineBelow: (_appId, userId) => legacyUsers.includes(userId),
    isOnline: () => true,
  };
  return { delivery, sent };
}

function entry(seq: number, readers: readonly string[]): TimelinePush {
  const message = create(pb.MessageSchema, { msgId: BigInt(seq), from: 'owner', to: 'g1', text: `m${seq}` });
  return { entry: create(pb.EntrySchema, { seq: BigInt(seq), groupId: 'g1', item: { case: 'message', value: message } }), readers };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('timeline fan-out', () => {
  it('pushes a message to its sender\'s other sessions too, in timeline order, never to the sending one', async () => {
    const clock = new ManualClock(0);
    const { delivery, sent } = recordingDelivery();
    const fanout = createTimelineFanout({ delivery, clock, intervalMs: 50 });
    const from = (seq: number, sender: string, readers: readonly string[]): TimelinePush => ({
      ...entry(seq, readers),
      sender: { userId: sender, sessionId: `${sender}-phone` },
    });
    fanout.push('app', from(1, 'ann', ['ben']));
    fanout.push('app', from(2, 'ann', ['ben']));
    fanout.push('app', from(3, 'ben', ['ann']));
    await turn();
    expect(sent).toEqual([
      { userId: 'ben', seq: 1 },
      { userId: 'ben', seq: 2 },
      { userId: 'ann', seq: 1, except: 'ann-phone' },
      { userId: 'ann', seq: 2, except: 'ann-phone' },
      { userId: 'ann', seq: 3 },
      { userId: 'ben', seq: 3, except: 'ben-phone' },
    ]);
  });

  it('sends the first entry at the end of its turn and holds the next ones for the interval', async () => {
    const clock = new ManualClock(0);
    const { delivery, sent } = recordingDelivery();
    const fanout = createTimelineFanout({ delivery, clock, intervalMs: 50 });
    fanout.push('app', entry(1, ['ann', 'ben']));
    expect(sent).toEqual([]);
    await turn();
    expect(sent).toEqual([
      { userId: 'ann', seq: 1 },
      { userId: 'ben', seq: 1 },
    ]);
    fanout.push('app', entry(2, ['ann', 'ben']));
    fanout.push('app', entry(3, ['ann', 'ben']));
    await turn();
    expect(sent).toHaveLength(2);
    expect(fanout.pending).toBe(2);
    clock.advance(50);
    expect(sent.slice(2)).toEqual([
      { userId: 'ann', seq: 2 },
      { userId: 'ann', seq: 3 },
      { userId: 'ben', seq: 2 },
      { userId: 'ben', seq: 3 },
    ]);
    expect(fanout.pending).toBe(0);
    // a whole quiet interval: the next entry leaves at once again
    clock.advance(50);
    fanout.push('app', entry(4, ['ann']));
    await turn();
    expect(sent.at(-1)).toEqual({ userId: 'ann', seq: 4 });
  });

  it('sends each waiting entry only to the readers it was stored for, and copies for 2.0 members once', async () => {
    const clock = new ManualClock(0);
    const { delivery, sent } = recordingDelivery(['old']);
    const fanout = createTimelineFanout({ delivery, clock, intervalMs: 50 });
    const copied: string[][] = [];
    const copier = (userIds: readonly string[]) => {
      copied.push([...userIds]);
      return [];
    };
    fanout.push('app', entry(1, ['ann', 'ben', 'old']), copier);
    await turn();
    fanout.push('app', entry(2, ['ann', 'ben', 'old']), copier);
    // ben kicked between the two
    fanout.push('app', entry(3, ['ann', 'old']), copier);
    clock.advance(50);
    expect(sent.filter((s) => s.userId === 'ben').map((s) => s.seq)).toEqual([1, 2]);
    expect(sent.filter((s) => s.userId === 'ann').map((s) => s.seq)).toEqual([1, 2, 3]);
    expect(copied).toEqual([['old'], ['old']]);
  });

  it('flush sends everything waiting at once', async () => {
    const clock = new ManualClock(0);
    const { delivery, sent } = recordingDelivery();
    const fanout = createTimelineFanout({ delivery, clock, intervalMs: 1_000 });
    fanout.push('app', entry(1, ['ann']));
    await turn();
    fanout.push('app', entry(2, ['ann']));
    fanout.flush();
    expect(sent.map((s) => s.seq)).toEqual([1, 2]);
    expect(fanout.pending).toBe(0);
  });

  it('on a cluster node, a change waits for the other nodes: this node\'s entries before it go after theirs, those after it after the change', async () => {
    const clock = new ManualClock(0);
    const { delivery, sent } = recordingDelivery();
    const answers: (() => void)[] = [];
    const asked: string[] = [];
    const fanout = createTimelineFanout({
      delivery,
      clock,
      intervalMs: 50,
      othersWaiting: (_appId, groupId) => {
        asked.push(groupId);
        return new Promise<void>((resolve) => answers.push(resolve));
      },
    });
    const delivered: string[] = [];
    const seqs = () => sent.map((s) => s.seq);
    fanout.push('app', entry(1, ['ben']));
    const change = fanout.afterWaiting('app', 'g1', () => delivered.push(`notice after ${seqs().join(',')}`));
    expect(change).toBeInstanceOf(Promise);
    expect(asked).toEqual(['g1']);
    // said after the change, and a second change behind the first
    fanout.push('app', entry(2, ['ben']));
    const second = fanout.afterWaiting('app', 'g1', () => delivered.push(`second after ${seqs().join(',')}`));
    fanout.push('app', entry(3, ['ben']));
    await turn();
    clock.advance(200);
    await turn();
    // nothing leaves until the other nodes have sent theirs
    expect(seqs()).toEqual([]);
    expect(fanout.pending).toBe(3);
    expect(asked).toEqual(['g1', 'g1']);
    for (const answer of answers) answer();
    await change;
    await second;
    expect(delivered).toEqual(['notice after 1', 'second after 1,2']);
    expect(seqs()).toEqual([1, 2, 3]);
    expect(fanout.pending).toBe(0);
  });

  it('without other nodes to wait for, a change goes out at once after the group\'s waiting entries', () => {
    const clock = new ManualClock(0);
    const { delivery, sent } = recordingDelivery();
    const fanout = createTimelineFanout({ delivery, clock, intervalMs: 50, othersWaiting: () => undefined });
    fanout.push('app', entry(1, ['ben']));
    const delivered: number[][] = [];
    expect(fanout.afterWaiting('app', 'g1', () => delivered.push(sent.map((s) => s.seq)))).toBeUndefined();
    expect(delivered).toEqual([[1]]);
  });
});
