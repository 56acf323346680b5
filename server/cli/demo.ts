import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Identity } from '../identity/identity';
import { DEMO_FILE } from '../storage/data-folder-files';
import type { SqlDatabase } from '../storage/sql-database';

export interface DemoCredentials {
  readonly accountSid: string;
  readonly authToken: string;
  readonly appId: string;
  readonly appToken: string;
  readonly users: readonly { friendlyName: string; voipAccount: string; voipPwd: string; subAccountSid: string; subToken: string }[];
}

/**
 * The demo of `start --demo`: a main account, an online app, and two users who can log in at once
 * by password ("alice" and "bob" are their voip accounts) or with the app token. Made only on a
 * server whose database holds no main account yet, all of it in one transaction, so the database
 * holds the whole demo or none of it: a first start killed part way leaves no account, and the
 * next start with --demo makes the demo then. Once made, its account is the mark that the demo was
 * made (accounts are never deleted): users or apps of it closed or deleted later are not made again.
 * demo.json (mode 0600, it holds secrets) is written inside the transaction, before the commit: a
 * committed demo always has its file; a file left by a demo that was not committed is replaced by
 * the next one. Undefined when no demo was owed (or another cluster node made it just now).
 */
export function createDemoOnce(db: SqlDatabase, identity: Identity, dataDir: string): DemoCredentials | undefined {
  const anyAccount = db.prepare('SELECT 1 AS found FROM accounts LIMIT 1');
  const create = db.transaction((): DemoCredentials | undefined => {
    if (anyAccount.get() !== undefined) return undefined;
    const demo = makeDemo(identity);
    writeFileSync(join(dataDir, DEMO_FILE), JSON.stringify(demo, null, 2) + '\n', { mode: 0o600 });
    return demo;
  });
  try {
    return create.immediate();
  } catch (error) {
    // PostgreSQL: cluster nodes starting together both found no account, and the other one's demo
    // committed first ('alice' is taken): that demo is the one
    if (anyAccount.get() !== undefined) return undefined;
    throw error;
  }
}

function makeDemo(identity: Identity): DemoCredentials {
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
  return { accountSid: account.accountSid, authToken: account.authToken, appId: app.appId, appToken: app.appToken, users };
}
