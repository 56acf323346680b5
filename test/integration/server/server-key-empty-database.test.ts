import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../protocol';
import { SERVER_KEY_FILE } from '../../../server/identity/server-key';
import { createMagpieServer } from '../../../server/server';
import { dropTestSchema, testDatabaseUrl } from '../../support/test-database';

/**
 * A database that holds no app or auth token yet still knows the key it was first opened with:
 * before, a second cluster node (or an admin command) on a folder with another key started on it,
 * and each sealed tokens the other could not read.
 */
describe('a database no app or token was made in yet', () => {
  it('refuses another server key than the one it was first opened with, and keeps serving with its own', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'magpie-key-empty-'));
    const database = testDatabaseUrl(dataDir);
    const config = { dataDir, ...(database === undefined ? {} : { database }), host: '127.0.0.1', port: 0, httpPort: 0, tuning: { scryptCost: 1024 } };
    try {
      const first = createMagpieServer(config);
      await first.start();
      expect(first.db.prepare('SELECT COUNT(*) AS n FROM apps').get()).toEqual({ n: 0 });
      await first.stop();

      const ownKey = await readFile(join(dataDir, SERVER_KEY_FILE), 'utf8');
      await writeFile(join(dataDir, SERVER_KEY_FILE), randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
      let refused: unknown;
      try {
        createMagpieServer(config);
      } catch (error) {
        refused = error;
      }
      expect(refused).toMatchObject({ code: ErrorCode.SERVER_KEY_MISMATCH });
      expect((refused as Error).message).toContain(`the ${SERVER_KEY_FILE} in ${dataDir} is not the key the database's secrets were sealed with`);

      // its own key opens it again, and an app made now is sealed with that key
      await writeFile(join(dataDir, SERVER_KEY_FILE), ownKey, { mode: 0o600 });
      const again = createMagpieServer(config);
      await again.start();
      const { accountSid } = again.identity.createAccount();
      const { appId, appToken } = again.identity.createApp(accountSid, 'after the check');
      expect(again.identity.getApp(appId)?.appToken).toBe(appToken);
      await again.stop();
    } finally {
      dropTestSchema(dataDir);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
