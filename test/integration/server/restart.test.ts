import { describe, expect, it } from 'vitest';
import { TestClient } from '../../support/test-client';
import { startTestServer } from '../../support/test-server';

describe('a server restart', () => {
  it('keeps accounts, apps, sub-accounts, app-token users and profiles', async () => {
    const first = await startTestServer();
    const user = first.createUser('Stay');
    const client = await TestClient.connect(first.port);
    await client.hello();
    await client.loginWithAppToken(first.appId, first.appToken, 'token_user');
    await client.ask('PROFILE_UPDATE', { nickname: 'Token User' }, 'PROFILES');
    await first.stop({ keepData: true });
    await client.waitClosed();

    const second = await startTestServer({ dataDir: first.dataDir });
    try {
      expect(second.appId).toBe(first.appId);
      expect(second.appToken).toBe(first.appToken);
      const again = await TestClient.connect(second.port);
      await again.hello();
      expect((await again.loginWithPassword(user.voipAccount, user.voipPwd)).nickname).toBe('Stay');
      const profiles = await again.ask('PROFILE_QUERY', { userIds: ['token_user'] }, 'PROFILES');
      expect(profiles.profiles[0]?.nickname).toBe('Token User');
      await again.close();
    } finally {
      await second.stop();
    }
  });
});
