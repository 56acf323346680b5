import { afterEach, describe, expect, it } from 'vitest';
import { createChatService } from '../../../main/chat/chat-service';
import type { MagpieClient } from '../../../main/client/magpie-client';
import type { StoredMessage } from '../../../main/store';
import { startFrameTap, type FrameTap } from '../../support/frame-tap';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

/** Every body above the threshold of HELLO_ACK travels deflated, both ways (docs/protocol.md, section 2). */
describe('compression on the wire', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;
  const taps: FrameTap[] = [];

  afterEach(async () => {
    await fixture.cleanup();
    await Promise.all(taps.splice(0).map((tap) => tap.close()));
    await server?.stop();
  });

  function received(client: MagpieClient): StoredMessage[] {
    const out: StoredMessage[] = [];
    client.events.on('ingested', (result) => out.push(...result.messages.filter((m) => !m.outgoing)));
    return out;
  }

  async function pair(threshold?: number) {
    server = await startTestServer(threshold === undefined ? {} : { tuning: { compressThresholdBytes: threshold } });
    const aliceTap = await startFrameTap(server.port);
    const bobTap = await startFrameTap(server.port);
    taps.push(aliceTap, bobTap);
    const alice = await fixture.client(server, 'alice', { servers: [aliceTap.address] });
    const bob = await fixture.client(server, 'bob', { servers: [bobTap.address] });
    const toBob = received(bob);
    await Promise.all([alice.start(), bob.start()]);
    return { alice: createChatService(alice), aliceTap, bobTap, toBob };
  }

  const wire = (tap: FrameTap, direction: 'up' | 'down', name: string) =>
    tap.frames.filter((f) => f.direction === direction && f.name === name).map((f) => ({ compressed: f.frame.compressed, bytes: f.frame.body.length }));

  it('deflates a long SEND from the client and its PUSH from the server; short ones stay plain', async () => {
    const { alice, aliceTap, bobTap, toBob } = await pair();
    const long = 'The quarterly report is attached; please review the numbers before the meeting. '.repeat(40);
    await alice.send('bob', { kind: 'text', text: 'hi' });
    await alice.send('bob', { kind: 'text', text: long });
    await eventually(() => toBob.length === 2, 5_000, () => `bob has ${toBob.length}`);

    expect(toBob.map((m) => m.text)).toEqual(['hi', long]);
    const sends = wire(aliceTap, 'up', 'SEND');
    const pushes = wire(bobTap, 'down', 'PUSH');
    expect(sends.map((s) => s.compressed)).toEqual([false, true]);
    expect(pushes.map((p) => p.compressed)).toEqual([false, true]);
    // deflated well below the text's own length, which crosses the threshold of 512 bytes
    expect(sends[1]!.bytes).toBeLessThan(long.length / 4);
    expect(pushes[1]!.bytes).toBeLessThan(long.length / 4);
  });

  it('both sides use the threshold the server announces in HELLO_ACK', async () => {
    const { alice, aliceTap, bobTap, toBob } = await pair(2048);
    const medium = 'abcdefgh'.repeat(200); // 1,600 bytes: above the default 512, below 2,048
    const large = 'abcdefgh'.repeat(500); // 4,000 bytes (a text holds at most 5,000 characters)
    await alice.send('bob', { kind: 'text', text: medium });
    await alice.send('bob', { kind: 'text', text: large });
    await eventually(() => toBob.length === 2, 5_000, () => `bob has ${toBob.length}`);

    expect(toBob.map((m) => m.text.length)).toEqual([medium.length, large.length]);
    expect(wire(aliceTap, 'up', 'SEND').map((s) => s.compressed)).toEqual([false, true]);
    expect(wire(bobTap, 'down', 'PUSH').map((p) => p.compressed)).toEqual([false, true]);
  });
});
