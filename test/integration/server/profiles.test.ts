import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { TestClient } from '../../support/test-client';
import { startTestServer, type TestServer } from '../../support/test-server';

describe('profiles', () => {
  let world: TestServer;
  let ann: TestClient;
  let ben: TestClient;

  async function as(userId: string): Promise<TestClient> {
    const client = await TestClient.connect(world.port);
    await client.hello();
    await client.loginWithAppToken(world.appId, world.appToken, userId);
    return client;
  }

  beforeAll(async () => {
    world = await startTestServer();
    ann = await as('ann01');
    ben = await as('ben01');
  });
  afterAll(async () => {
    await Promise.all([ann.close(), ben.close()]);
    await world.stop();
  });

  it('a user sets a nickname and an avatar, and others read them', async () => {
    const updated = await ann.ask('PROFILE_UPDATE', { nickname: 'Ann 🌸', avatar: 'file:avatar-1' }, 'PROFILES');
    expect(updated.profiles[0]).toMatchObject({ userId: 'ann01', nickname: 'Ann 🌸', avatar: 'file:avatar-1' });
    const seen = await ben.ask('PROFILE_QUERY', { userIds: ['ann01'] }, 'PROFILES');
    expect(seen.profiles).toEqual([expect.objectContaining({ userId: 'ann01', nickname: 'Ann 🌸', avatar: 'file:avatar-1' })]);
  });

  it('an update changes only the fields it names', async () => {
    await ben.ask('PROFILE_UPDATE', { nickname: 'Ben', avatar: 'file:b' }, 'PROFILES');
    const after = await ben.ask('PROFILE_UPDATE', { avatar: 'file:b2' }, 'PROFILES');
    expect(after.profiles[0]).toMatchObject({ nickname: 'Ben', avatar: 'file:b2' });
  });

  it('the nickname comes back in LOGIN_RESULT', async () => {
    const again = await TestClient.connect(world.port);
    await again.hello();
    const result = await again.loginWithAppToken(world.appId, world.appToken, 'ann01');
    expect(result.nickname).toBe('Ann 🌸');
    await again.close();
  });

  it('leaves unknown users out of a query, and users of other apps are unknown', async () => {
    const other = world.server.identity.createApp(world.accountSid, 'other');
    world.server.users.updateProfile(other.appId, 'stranger', { nickname: 'X' });
    const seen = await ann.ask('PROFILE_QUERY', { userIds: ['ben01', 'nobody', 'stranger'] }, 'PROFILES');
    expect(seen.profiles.map((p) => p.userId)).toEqual(['ben01']);
  });

  it('refuses a nickname or avatar over its limit', async () => {
    await expect(ann.request('PROFILE_UPDATE', { nickname: 'n'.repeat(65) })).rejects.toMatchObject({ code: ErrorCode.BAD_BODY });
    await expect(ann.request('PROFILE_UPDATE', { avatar: 'a'.repeat(513) })).rejects.toMatchObject({ code: ErrorCode.BAD_BODY });
  });
});
