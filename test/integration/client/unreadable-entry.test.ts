import { randomBytes } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import { afterEach, describe, expect, it } from 'vitest';
import type { MagpieClient } from '../../../main/client/magpie-client';
import type { ConnectionStateName } from '../../../main/engine/client-connection';
import { DEFAULT_WIRE_LIMITS, pb } from '../../../protocol';
import { TestClient, type BodyInit } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';
import { createClientFixture, eventually } from './client-fixture';

/** A 16-byte client message id for the n-th message of a test. */
const clientId = (n: number): Uint8Array => Uint8Array.from({ length: 16 }, (_, i) => (i === 15 ? n : 0x4d));

describe('a client meets an inbox entry it cannot show', () => {
  const fixture = createClientFixture();
  let server: TestServer | undefined;
  let alice: TestClient | undefined;

  afterEach(async () => {
    await alice?.close();
    await fixture.cleanup();
    await server?.stop();
  });

  async function aliceSends(bodies: BodyInit<'SEND'>[]): Promise<pb.Sent[]> {
    alice = await TestClient.connect(server!.port);
    await alice.hello();
    await alice.loginWithAppToken(server!.appId, server!.appToken, 'alice');
    const sent: pb.Sent[] = [];
    for (const body of bodies) sent.push(await alice.ask('SEND', body, 'SENT'));
    return sent;
  }

  /** Every connection state the client passes through, from now on. */
  function statesOf(client: MagpieClient): ConnectionStateName[] {
    const states: ConnectionStateName[] = [];
    client.events.on('status', (status) => states.push(status.state));
    return states;
  }

  const confirmedSeq = (user: string): number =>
    (
      server!.server.db.prepare('SELECT confirmed_seq FROM inbox_heads WHERE app_id = ? AND user_id = ?').get(server!.appId, user) as
        | { confirmed_seq: number }
        | undefined
    )?.confirmed_seq ?? 0;
  const text = (words: string, n: number): BodyInit<'SEND'> => ({ clientMsgId: clientId(n), to: 'bob', type: pb.MessageType.TEXT, text: words });
  const texts = (bob: MagpieClient): string[] =>
    (bob.store.db.prepare('SELECT text FROM messages ORDER BY seq').all() as { text: string }[]).map((row) => row.text);

  it('shows a message stored too large as a placeholder, confirms past it and stays online', async () => {
    server = await startTestServer();
    const [huge] = await aliceSends([text('will be huge', 1), text('after it', 2)]);
    // what a megabyte of unknown fields left in the store before content was bounded
    const content = toBinary(pb.MessageSchema, create(pb.MessageSchema, { type: pb.MessageType.CUSTOM, custom: { command: 'x', payload: new Uint8Array(1024 * 1024) } }));
    server.server.db.prepare('UPDATE messages SET content = ?, type = ? WHERE msg_id = ?').run(content, pb.MessageType.CUSTOM, Number(huge!.msgId));

    const bob = await fixture.client(server, 'bob');
    const states = statesOf(bob);
    await bob.start();
    await eventually(() => confirmedSeq('bob') === 2, 5_000, () => 'bob confirms both entries');
    const [placeholder, after] = bob.store.db.prepare('SELECT text, body FROM messages ORDER BY seq').all() as { text: string; body: string | null }[];
    expect(JSON.parse(placeholder!.body ?? '{}')).toEqual({ unavailable: true });
    expect(after!.text).toBe('after it');
    expect(states).not.toContain('reconnecting');
  });

  it('reads a page it cannot take whole entry by entry, and skips the one it cannot take alone', async () => {
    server = await startTestServer();
    // random bytes do not deflate: this message inflates past the client's (small) body limit
    const big: BodyInit<'SEND'> = {
      clientMsgId: clientId(2),
      to: 'bob',
      type: pb.MessageType.CUSTOM,
      custom: { command: 'blob', payload: randomBytes(16 * 1024) },
    };
    await aliceSends([text('first', 1), big, text('third', 3), text('fourth', 4)]);

    const bob = await fixture.client(server, 'bob', { limits: { ...DEFAULT_WIRE_LIMITS, maxBodyBytes: 12 * 1024 } });
    const states = statesOf(bob);
    const errors: unknown[] = [];
    bob.events.on('error', (error) => errors.push(error));
    await bob.start();
    await eventually(() => confirmedSeq('bob') === 4, 5_000, () => 'bob confirms past the entry');
    expect(texts(bob)).toEqual(['first', 'third', 'fourth']);
    expect(bob.store.syncState.get().appliedSeq).toBe(4);
    expect(errors).toHaveLength(1);
    expect(states).not.toContain('reconnecting');
  });
});
