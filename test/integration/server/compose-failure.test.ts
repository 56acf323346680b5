import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVER_KEY_FILE } from '../../../server/identity/server-key';
import { createMagpieServer } from '../../../server/server';
import { testDatabaseUrl } from '../../support/test-database';

describe('a server that fails while it is being put together', () => {
  it('lets go of its data folder, so the same process can start one there once the cause is gone', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'magpie-compose-'));
    const database = testDatabaseUrl(dataDir);
    const config = { dataDir, ...(database === undefined ? {} : { database }), host: '127.0.0.1', port: 0, httpPort: 0 };
    try {
      const first = createMagpieServer(config);
      await first.start();
      await first.stop();
      // the key is read after the migrations ran: a file that holds no key fails the server there
      const key = await readFile(join(dataDir, SERVER_KEY_FILE));
      await writeFile(join(dataDir, SERVER_KEY_FILE), 'not a key\n');
      expect(() => createMagpieServer(config)).toThrow(/does not hold a 256-bit key/);

      await writeFile(join(dataDir, SERVER_KEY_FILE), key);
      const server = createMagpieServer(config);
      await server.start();
      await server.stop();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
