import { afterEach, describe, expect, it } from 'vitest';
import { openChatWorld, type ChatWorld } from './chat-fixture';

const MiB = 1024 * 1024;

/** LOGIN_RESULT's limits from a real server on a real socket: SQLite, and PostgreSQL in the postgres project. */
describe("a login is told the server's limits", () => {
  let world: ChatWorld | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('of its tuning', async () => {
    world = await openChatWorld({ tuning: { revokeWindowMs: 5_000, maxImageBytes: 3 * MiB, maxVoiceBytes: 512 * 1024, maxFileBytes: MiB, maxVoiceDurationMs: 30_000 } });
    const alice = await world.login('alice01');
    expect(alice.login.limits).toMatchObject({ revokeWindowMs: 5_000n, maxImageBytes: BigInt(3 * MiB), maxVoiceBytes: 512n * 1024n, maxFileBytes: BigInt(MiB), maxVoiceDurationMs: 30_000 });
  });

  it('the defaults, from a server left at them', async () => {
    world = await openChatWorld();
    const bob = await world.login('bob01');
    expect(bob.login.limits).toMatchObject({ revokeWindowMs: 120_000n, maxImageBytes: BigInt(20 * MiB), maxVoiceBytes: BigInt(2 * MiB), maxFileBytes: BigInt(100 * MiB), maxVoiceDurationMs: 60_000 });
  });
});
