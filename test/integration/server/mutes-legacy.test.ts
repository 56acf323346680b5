import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, pb } from '../../../protocol';
import { TestClient } from '../../support/test-client';
import { openChatWorld, type ChatWorld } from './chat-fixture';

/**
 * MUTE_UPDATE and MUTES (0x26) are protocol 2.1. A 2.0 client does not know 0x26 and closes its
 * link on it (UNKNOWN_FRAME_TYPE): it must never be pushed one, and its own MUTE_UPDATE is refused.
 */
let world: ChatWorld;
afterEach(async () => {
  await world.close();
});

async function legacySession(userId: string): Promise<TestClient> {
  const old = await TestClient.connect(world.server.port);
  await old.hello(2, 0);
  await old.loginWithAppToken(world.server.appId, world.server.appToken, userId, { device: pb.DeviceKind.MOBILE });
  return old;
}

describe('mutes and 2.0 sessions', () => {
  it('a mute from a 2.1 session reaches the 2.1 sessions only; the 2.0 session stays connected', async () => {
    world = await openChatWorld();
    const old = await legacySession('lena01');
    const desktop = await world.login('lena01');
    const tablet = await world.login('lena01', { device: pb.DeviceKind.WEB });
    expect((await desktop.client.ask('MUTE_UPDATE', { mute: ['alice01'] }, 'MUTES')).peers).toEqual(['alice01']);
    expect((await tablet.client.waitForPush('MUTES')).peers).toEqual(['alice01']);
    // a round trip on the 2.0 link after the push: had MUTES been sent, it would be queued before the answer
    await old.ask('SYNC', { afterSeq: 0n, limit: 10 }, 'SYNC_PAGE');
    expect(old.pushes.map((f) => f.name)).not.toContain('MUTES');
    expect(old.isClosed).toBe(false);
    await old.close();
  });

  it('a 2.0 session sending MUTE_UPDATE gets UNSUPPORTED_VERSION and keeps its link', async () => {
    world = await openChatWorld();
    const old = await legacySession('mona01');
    await expect(old.ask('MUTE_UPDATE', { mute: ['alice01'] }, 'MUTES')).rejects.toMatchObject({ code: ErrorCode.UNSUPPORTED_VERSION });
    await old.ask('SYNC', { afterSeq: 0n, limit: 10 }, 'SYNC_PAGE');
    expect(old.isClosed).toBe(false);
    await old.close();
  });
});
