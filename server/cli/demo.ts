import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Identity } from '../identity/identity';
import { SERVER_KEY_FILE } from '../identity/server-key';
import { DEMO_FILE } from '../storage/data-folder-files';
import { DATABASE_FILE } from '../storage/database';

export interface DemoCredentials {
  readonly accountSid: string;
  readonly authToken: string;
  readonly appId: string;
  readonly appToken: string;
  readonly users: readonly { friendlyName: string; voipAccount: string; voipPwd: string; subAccountSid: string; subToken: string }[];
}

/**
 * A data folder is new when it holds no database yet: that is when the demo is created. With the
 * database in PostgreSQL (`database` given), when it holds no server key yet: the first start
 * makes one there.
 */
export function isNewDataFolder(dataDir: string, database?: string): boolean {
  return !existsSync(join(dataDir, database === undefined ? DATABASE_FILE : SERVER_KEY_FILE));
}

/**
 * The first start's demo: a main account, an online app, and two users who can log in at once by
 * password ("alice" and "bob" are their voip accounts) or with the app token. Written to
 * demo.json (mode 0600) because it holds secrets.
 */
export function createDemo(identity: Identity, dataDir: string): DemoCredentials {
  const account = identity.createAccount();
  const app = identity.createApp(account.accountSid, 'Magpie demo');
  const users = ['alice', 'bob'].map((name) => {
    const user = identity.createSubAccount(app.appId, name, { voipAccount: name });
    return {
      friendlyName: user.friendlyName,
      voipAccount: user.voipAccount,
      voipPwd: user.voipPwd,
      subAccountSid: user.subAccountSid,
      subToken: user.subToken,
    };
  });
  const demo: DemoCredentials = {
    accountSid: account.accountSid,
    authToken: account.authToken,
    appId: app.appId,
    appToken: app.appToken,
    users,
  };
  writeFileSync(join(dataDir, DEMO_FILE), JSON.stringify(demo, null, 2) + '\n', { mode: 0o600 });
  return demo;
}
