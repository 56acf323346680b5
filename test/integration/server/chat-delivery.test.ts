import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bodyFrame, pb } from '../../../protocol';
import { clientId, isMessage, openChatWorld, textBody, type ChatWorld } from './chat-fixture';

let world: ChatWorld;
beforeEach(async () => {
  world = await openChatWorld();
});
afterEach(async () => {
  await world.close();
});

describe('one-to-one delivery over TCP', () => {
  it('pushes a message to an online recipient with its seq', async () => {
    const alice = await world.login('alice01');
    const bob = await world.login('bob01');
    const sent = await alice.text('bob01', 'hello 🐦', 1);
    const entry = await bob.nextPush(isMessage);
    expect(entry.seq).toBe(1n);
    // bob is the reader of his own inbox: `to` is left out of a one-to-one message there
    expect(entry.item.value).toMatchObject({ msgId: sent.msgId, from: 'alice01', to: '', text: 'hello 🐦' });
    expect((entry.item.value as pb.Message).clientMsgId).toHaveLength(0);
  });

  it('keeps a message for an offline recipient, who pulls it after login', async () => {
    const alice = await world.login('alice01');
    const sent = await alice.text('bob01', 'while you were out', 1);
    const bob = await world.login('bob01');
    expect(bob.login.maxSeq).toBe(1n);
    const [entry] = await bob.syncAll();
    expect(entry).toMatchObject({ seq: 1n, item: { case: 'message', value: { msgId: sent.msgId, text: 'while you were out' } } });
  });

  it('answers a resend with the same receipt and delivers once', async () => {
    const alice = await world.login('alice01');
    const first = await alice.text('bob01', 'once', 42);
    const again = await alice.text('bob01', 'once', 42);
    expect(again).toEqual(first);
    const bob = await world.login('bob01');
    expect(await bob.syncAll()).toHaveLength(1);
  });

  it('gives the sender’s other devices their own copy, with the client id', async () => {
    const desktop = await world.login('alice01', { device: pb.DeviceKind.DESKTOP, deviceId: 'd1' });
    const phone = await world.login('alice01', { device: pb.DeviceKind.MOBILE, deviceId: 'p1' });
    const sent = await desktop.text('bob01', 'from my desk', 1);
    const copy = await phone.nextPush(isMessage);
    expect(copy.seq).toBe(sent.seq);
    expect(new Uint8Array((copy.item.value as pb.Message).clientMsgId)).toEqual(clientId(1));
    await desktop.client.ping();
    expect(desktop.client.pushes.filter((f) => f.name === 'PUSH')).toHaveLength(0);
  });

  it('answers a pipelined burst in order, with a bad SEND and a resend among them refused or answered alone', async () => {
    const alice = await world.login('alice01');
    const bob = await world.login('bob01');
    // all written at once, so the server reads them in one or a few turns and commits them together
    const replies = Promise.allSettled([
      alice.text('bob01', 'one', 1),
      alice.text('bob01', 'two', 2),
      alice.text('bob01', 'x'.repeat(5001), 3),
      alice.text('bob01', 'two', 2),
      alice.text('not a user', 'lost', 4),
      alice.text('bob01', 'three', 5),
    ]);
    const [one, two, tooLong, resend, badUser, three] = await replies;
    expect(tooLong).toMatchObject({ status: 'rejected', reason: { code: 580002 } });
    expect(badUser).toMatchObject({ status: 'rejected', reason: { code: 520005 } });
    const sent = [one, two, resend, three].map((r) => (r.status === 'fulfilled' ? r.value : undefined));
    expect(sent[2]).toEqual(sent[1]);
    expect(sent.map((s) => s?.seq)).toEqual([1n, 2n, 2n, 3n]);
    const pushed = [await bob.nextPush(isMessage), await bob.nextPush(isMessage), await bob.nextPush(isMessage)];
    expect(pushed.map((e) => (e.item.value as pb.Message).text)).toEqual(['one', 'two', 'three']);
    expect((await bob.syncAll()).map((e) => e.seq)).toEqual([1n, 2n, 3n]);
  });

  it('answers every SEND of a stream written in many small pieces while earlier ones commit', async () => {
    await world.close();
    world = await openChatWorld({ tuning: { requestsPerSecond: 1_000_000, requestBurst: 1_000_000 } });
    const alice = await world.login('alice01');
    const answers: Promise<pb.Sent>[] = [];
    for (let n = 1; n <= 2000; n++) {
      answers.push(alice.text('bob01', `m${n}`, n));
      // a separate write per message, some landing while the server commits the ones before
      if (n % 2 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    const sent = await Promise.all(answers);
    expect(sent.map((s) => s.seq)).toEqual(Array.from({ length: 2000 }, (_, i) => BigInt(i + 1)));
  });

  it('counts the text limit in characters (code points): 5,000 emoji are delivered, 5,001 refused', async () => {
    const alice = await world.login('alice01');
    const bob = await world.login('bob01');
    const fits = '🐦'.repeat(5_000);
    await alice.text('bob01', fits, 1);
    expect((await bob.nextPush(isMessage)).item.value).toMatchObject({ text: fits });
    await expect(alice.text('bob01', '🐦'.repeat(5_001), 2)).rejects.toMatchObject({ code: 580002 });
  });

  it('refuses content over the limits with its code', async () => {
    const alice = await world.login('alice01');
    await expect(alice.text('bob01', 'x'.repeat(5001), 1)).rejects.toMatchObject({ code: 580002 });
    await expect(alice.text('not a user', 'x', 2)).rejects.toMatchObject({ code: 520005 });
  });
});

describe('transient traffic', () => {
  it('forwards typing to the peer with `from` set and never stores it', async () => {
    const alice = await world.login('alice01');
    const bob = await world.login('bob01');
    alice.client.sendFrame(bodyFrame('TYPING', { to: 'bob01' }));
    expect(await bob.client.waitForPush('TYPING')).toMatchObject({ from: 'alice01', to: 'bob01' });
    expect(await bob.syncAll()).toHaveLength(0);
    expect(await alice.syncAll()).toHaveLength(0);
  });

  it('pushes a transient custom message with seq 0 to online sessions only', async () => {
    const alice = await world.login('alice01');
    const bob = await world.login('bob01');
    const sent = await alice.send({ ...textBody('bob01', '', 1), type: pb.MessageType.CUSTOM, custom: { command: 'ring', transient: true } });
    expect(sent.seq).toBe(0n);
    const entry = await bob.nextPush();
    expect(entry).toMatchObject({ seq: 0n, item: { case: 'message', value: { custom: { command: 'ring' } } } });
    expect(await bob.syncAll()).toHaveLength(0);
  });
});
