import { createHash } from 'node:crypto';
import type { SqlDatabase } from '../storage/sql-database';
import { ErrorCode, hasControlCharacter, MagpieError, textChars, userIdProblem, type Clock } from '../../protocol';
import { createPasswordVerifier } from './password-verifier';
import { hashSecret, randomDigits, randomHex32, randomPassword } from './secrets';
import type { ServerKey } from './server-key';
import type { UserStore } from './users';

export type AppState = 'online' | 'offline';

export interface AccountCreated {
  readonly accountSid: string;
  readonly authToken: string;
  readonly dateCreated: string;
}

export interface AppInfo {
  readonly appId: string;
  readonly accountSid: string;
  readonly name: string;
  readonly appToken: string;
  readonly state: AppState;
  readonly dateCreated: string;
}

export interface SubAccountCreated {
  readonly subAccountSid: string;
  readonly subToken: string;
  readonly voipAccount: string;
  readonly voipPwd: string;
  readonly friendlyName: string;
  readonly appId: string;
  readonly dateCreated: string;
}

export interface SubAccountInfo {
  readonly subAccountSid: string;
  readonly appId: string;
  readonly voipAccount: string;
  readonly friendlyName: string;
  readonly closed: boolean;
  readonly dateCreated: string;
}

/** A sub-account with its secrets, as they are shown once: after a reset. */
export interface SubAccountSecrets extends SubAccountInfo {
  readonly subToken: string;
  readonly voipPwd: string;
}

/** What password login needs of a sub-account. */
export interface SubAccountCredentials extends SubAccountInfo {
  /** The stored verifier (server/identity/password-verifier.ts), never the password or its hash. */
  readonly voipPwdHash: string;
}

export interface AccountInfo {
  readonly accountSid: string;
  readonly dateCreated: string;
}

export interface Identity {
  createAccount(): AccountCreated;
  getAccount(accountSid: string): AccountInfo | undefined;
  /**
   * The account's auth token, for the REST signature: undefined for no such account, null for an
   * account made before tokens were sealed (it must rotate its token first).
   */
  authTokenOf(accountSid: string): string | null | undefined;
  rotateAuthToken(accountSid: string): AccountCreated;
  /**
   * Names (of apps and sub-accounts) are stored without surrounding white space: docs/rest.md.
   * With an idempotency key, the account's app of that key, if there is one, is answered as it is
   * now, whatever the name says (APP_NOT_FOUND once it was deleted): docs/rest.md "Retries".
   */
  createApp(accountSid: string, name: string, idempotencyKey?: string): AppInfo;
  setAppState(appId: string, state: AppState): AppInfo;
  getApp(appId: string): AppInfo | undefined;
  renameApp(appId: string, name: string): AppInfo;
  /** Hides the app for good: it is no longer found, listed, or logged in to. */
  deleteApp(appId: string): void;
  rotateAppToken(appId: string): AppInfo;
  listApps(accountSid: string): AppInfo[];
  /** voipAccount and voipPwd are generated unless given (the demo users choose theirs). */
  createSubAccount(appId: string, friendlyName: string, chosen?: { voipAccount?: string; voipPwd?: string }): SubAccountCreated;
  listSubAccounts(appId: string): SubAccountInfo[];
  /** One page of the app's sub-accounts, oldest first, and how many there are. */
  listSubAccountsPage(appId: string, offset: number, limit: number): { total: number; items: SubAccountInfo[] };
  getSubAccount(subAccountSid: string): SubAccountInfo | undefined;
  /** Surrounding white space of the name is dropped, as it is when one is stored. */
  findByFriendlyName(appId: string, friendlyName: string): SubAccountInfo | undefined;
  closeSubAccount(subAccountSid: string): SubAccountInfo;
  reopenSubAccount(subAccountSid: string): SubAccountInfo;
  /** A new subToken and voipPwd (only their hashes kept): the old password logs nobody in from now on; live sessions stay. */
  resetSubAccountSecrets(subAccountSid: string): SubAccountSecrets;
  findByVoipAccount(voipAccount: string): SubAccountCredentials | undefined;
}

export interface IdentityDeps {
  readonly db: SqlDatabase;
  readonly clock: Clock;
  readonly serverKey: ServerKey;
  readonly users: UserStore;
  readonly scryptCost: number;
}

const MAX_NAME_CHARS = 64;
const VOIP_ACCOUNT_DIGITS = 14;

function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * The app id of an app made with an idempotency key: the same account and key give the same app,
 * for as long as the app's row is kept (for good: a deleted app's row stays). The same form as a
 * random id (32 hex digits).
 */
function keyedAppId(accountSid: string, key: string): string {
  return createHash('sha256').update(`app\n${accountSid}\n${key}`).digest('hex').slice(0, 32);
}

/** The sealed auth token is bound to its account, so sealed values cannot be swapped between rows. */
export function accountContext(accountSid: string): string {
  return `account:${accountSid}`;
}

/**
 * The name as stored: without surrounding white space (what String#trim drops: spaces, tabs, line
 * breaks, U+00A0, U+3000, ...), as an XML body's values come, so every path stores "  alice " as
 * "alice"; a name of white space alone is left whole, for checkName to say it is all spaces.
 */
function storedName(name: string): string {
  const trimmed = name.trim();
  return trimmed === '' ? name : trimmed;
}

/** Says which rule a name breaks, one message per rule (docs/rest.md): all are INVALID_USER_ID. */
function checkName(what: string, name: string): void {
  const refuse = (why: string) => new MagpieError(ErrorCode.INVALID_USER_ID, `${what} ${why}`);
  if (name.length === 0) throw refuse(`is empty: it needs 1-${MAX_NAME_CHARS} characters`);
  // counted as the message limits count (code points): 64 emoji or 64 Chinese characters fit
  const chars = textChars(name);
  if (chars > MAX_NAME_CHARS) throw refuse(`has ${chars} characters: at most ${MAX_NAME_CHARS} (an emoji or a Chinese character counts one)`);
  if (hasControlCharacter(name)) throw refuse('must not hold control characters (line breaks, escapes, direction overrides)');
  if (name.trim().length === 0) throw refuse('is all spaces: it needs at least one character that is not a space');
}

interface RawApp {
  app_id: string;
  account_sid: string;
  name: string;
  app_token_sealed: string;
  state: AppState;
  created_ms: number;
}

interface RawSub {
  sub_account_sid: string;
  app_id: string;
  voip_account: string;
  friendly_name: string;
  voip_pwd_hash: string;
  closed: number;
  date_created: number;
}

export function createIdentity(deps: IdentityDeps): Identity {
  const { db, clock, serverKey, users, scryptCost } = deps;
  const q = {
    insertAccount: db.prepare('INSERT INTO accounts (account_sid, auth_token_hash, auth_token_sealed, created_ms) VALUES (?, ?, ?, ?)'),
    account: db.prepare('SELECT account_sid FROM accounts WHERE account_sid = ?'),
    accountRow: db.prepare<[string], { account_sid: string; auth_token_sealed: string | null; created_ms: number }>(
      'SELECT account_sid, auth_token_sealed, created_ms FROM accounts WHERE account_sid = ?',
    ),
    setAuthToken: db.prepare('UPDATE accounts SET auth_token_hash = ?, auth_token_sealed = ? WHERE account_sid = ?'),
    rename: db.prepare('UPDATE apps SET name = ? WHERE app_id = ?'),
    deleteApp: db.prepare("UPDATE apps SET deleted_ms = ?, state = 'offline' WHERE app_id = ?"),
    setAppToken: db.prepare('UPDATE apps SET app_token_sealed = ? WHERE app_id = ?'),
    subByFriendlyName: db.prepare('SELECT * FROM sub_accounts WHERE app_id = ? AND friendly_name = ?'),
    subsPage: db.prepare('SELECT * FROM sub_accounts WHERE app_id = ? ORDER BY date_created, sub_account_sid LIMIT ? OFFSET ?'),
    subsCount: db.prepare<[string], number>('SELECT COUNT(*) FROM sub_accounts WHERE app_id = ?').pluck(),
    reopenSub: db.prepare('UPDATE sub_accounts SET closed = 0 WHERE sub_account_sid = ?'),
    insertApp: db.prepare(
      `INSERT INTO apps (app_id, account_sid, name, app_token_sealed, state, created_ms)
       VALUES (?, ?, ?, ?, 'online', ?)`,
    ),
    // a keyed app's id is its key's: two nodes given the same retry at once store one app
    insertKeyedApp: db.prepare(
      `INSERT INTO apps (app_id, account_sid, name, app_token_sealed, state, created_ms)
       VALUES (?, ?, ?, ?, 'online', ?) ON CONFLICT (app_id) DO NOTHING`,
    ),
    appEvenDeleted: db.prepare<[string], { account_sid: string; deleted_ms: number | null }>('SELECT account_sid, deleted_ms FROM apps WHERE app_id = ?'),
    // a deleted app is as good as gone: not found, not listed, no logins
    app: db.prepare('SELECT * FROM apps WHERE app_id = ? AND deleted_ms IS NULL'),
    appsOf: db.prepare('SELECT * FROM apps WHERE account_sid = ? AND deleted_ms IS NULL ORDER BY created_ms, app_id'),
    setState: db.prepare('UPDATE apps SET state = ? WHERE app_id = ?'),
    insertSub: db.prepare(
      `INSERT INTO sub_accounts (sub_account_sid, app_id, voip_account, friendly_name, sub_token_hash, voip_pwd_hash, date_created)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    subByName: db.prepare('SELECT 1 FROM sub_accounts WHERE app_id = ? AND friendly_name = ?'),
    subByVoip: db.prepare('SELECT * FROM sub_accounts WHERE voip_account = ?'),
    subBySid: db.prepare('SELECT * FROM sub_accounts WHERE sub_account_sid = ?'),
    subsOf: db.prepare('SELECT * FROM sub_accounts WHERE app_id = ? ORDER BY date_created, sub_account_sid'),
    closeSub: db.prepare('UPDATE sub_accounts SET closed = 1 WHERE sub_account_sid = ?'),
    setSubSecrets: db.prepare('UPDATE sub_accounts SET sub_token_hash = ?, voip_pwd_hash = ? WHERE sub_account_sid = ?'),
  };

  function toApp(row: RawApp): AppInfo {
    return {
      appId: row.app_id,
      accountSid: row.account_sid,
      name: row.name,
      appToken: serverKey.open(row.app_token_sealed, row.app_id),
      state: row.state,
      dateCreated: isoDate(row.created_ms),
    };
  }

  function toSub(row: RawSub): SubAccountCredentials {
    return {
      subAccountSid: row.sub_account_sid,
      appId: row.app_id,
      voipAccount: row.voip_account,
      friendlyName: row.friendly_name,
      closed: row.closed !== 0,
      dateCreated: isoDate(row.date_created),
      voipPwdHash: row.voip_pwd_hash,
    };
  }

  function publicSub(sub: SubAccountCredentials): SubAccountInfo {
    const { voipPwdHash: _hidden, ...info } = sub;
    return info;
  }

  function requireApp(appId: string): AppInfo {
    const row = q.app.get(appId) as RawApp | undefined;
    if (!row) throw new MagpieError(ErrorCode.APP_NOT_FOUND, `no app ${appId}`);
    return toApp(row);
  }

  function freeVoipAccount(): string {
    for (;;) {
      const candidate = '8' + randomDigits(VOIP_ACCOUNT_DIGITS - 1);
      if (!q.subByVoip.get(candidate)) return candidate;
    }
  }

  return {
    createAccount() {
      const accountSid = randomHex32();
      const authToken = randomHex32();
      const now = clock.now();
      q.insertAccount.run(accountSid, hashSecret(authToken, scryptCost), serverKey.seal(authToken, accountContext(accountSid)), now);
      return { accountSid, authToken, dateCreated: isoDate(now) };
    },

    getAccount(accountSid) {
      const row = q.accountRow.get(accountSid);
      return row && { accountSid: row.account_sid, dateCreated: isoDate(row.created_ms) };
    },

    authTokenOf(accountSid) {
      const row = q.accountRow.get(accountSid);
      if (!row) return undefined;
      return row.auth_token_sealed === null ? null : serverKey.open(row.auth_token_sealed, accountContext(accountSid));
    },

    rotateAuthToken(accountSid) {
      const row = q.accountRow.get(accountSid);
      if (!row) throw new MagpieError(ErrorCode.ACCOUNT_NOT_FOUND, `no main account ${accountSid}`);
      const authToken = randomHex32();
      q.setAuthToken.run(hashSecret(authToken, scryptCost), serverKey.seal(authToken, accountContext(accountSid)), accountSid);
      return { accountSid, authToken, dateCreated: isoDate(row.created_ms) };
    },

    createApp(accountSid, given, idempotencyKey) {
      if (!q.account.get(accountSid)) throw new MagpieError(ErrorCode.ACCOUNT_NOT_FOUND, `no main account ${accountSid}`);
      const appId = idempotencyKey === undefined ? randomHex32() : keyedAppId(accountSid, idempotencyKey);
      const keyedApp = () => {
        const row = q.appEvenDeleted.get(appId);
        if (row === undefined) return undefined;
        // the account is in the hash: another account's row here would be a SHA-256 collision
        if (row.account_sid !== accountSid) throw new MagpieError(ErrorCode.INTERNAL, `app id ${appId} is taken by another account`);
        if (row.deleted_ms !== null) {
          throw new MagpieError(ErrorCode.APP_NOT_FOUND, `the app made with idempotencyKey ${idempotencyKey} was deleted: a new app needs a new key`);
        }
        return requireApp(appId);
      };
      // a repeat is answered before the name is checked: the first create's name was good
      const earlier = idempotencyKey === undefined ? undefined : keyedApp();
      if (earlier !== undefined) return earlier;
      const name = storedName(given);
      checkName('an app name', name);
      const sealedToken = serverKey.seal(randomHex32(), appId);
      if (idempotencyKey === undefined) {
        q.insertApp.run(appId, accountSid, name, sealedToken, clock.now());
        return requireApp(appId);
      }
      q.insertKeyedApp.run(appId, accountSid, name, sealedToken, clock.now());
      return keyedApp()!;
    },

    setAppState(appId, state) {
      requireApp(appId);
      q.setState.run(state, appId);
      return requireApp(appId);
    },

    getApp(appId) {
      const row = q.app.get(appId) as RawApp | undefined;
      return row && toApp(row);
    },

    renameApp(appId, given) {
      const name = storedName(given);
      checkName('an app name', name);
      requireApp(appId);
      q.rename.run(name, appId);
      return requireApp(appId);
    },

    deleteApp(appId) {
      requireApp(appId);
      q.deleteApp.run(clock.now(), appId);
    },

    rotateAppToken(appId) {
      requireApp(appId);
      q.setAppToken.run(serverKey.seal(randomHex32(), appId), appId);
      return requireApp(appId);
    },

    listApps(accountSid) {
      if (!q.account.get(accountSid)) throw new MagpieError(ErrorCode.ACCOUNT_NOT_FOUND, `no main account ${accountSid}`);
      return (q.appsOf.all(accountSid) as RawApp[]).map(toApp);
    },

    createSubAccount(appId, given, chosen = {}) {
      const friendlyName = storedName(given);
      checkName('a friendly name', friendlyName);
      requireApp(appId);
      const voipPwd = chosen.voipPwd ?? randomPassword();
      const subToken = randomHex32();
      // hash outside the transaction: scrypt is slow and a write lock should be short
      const pwdHash = createPasswordVerifier(voipPwd, scryptCost);
      const tokenHash = hashSecret(subToken, scryptCost);
      const create = db.transaction(() => {
        if (q.subByName.get(appId, friendlyName)) {
          throw new MagpieError(ErrorCode.NAME_TAKEN, `friendly name ${friendlyName} is taken in app ${appId}`);
        }
        const voipAccount = chosen.voipAccount ?? freeVoipAccount();
        const problem = userIdProblem(voipAccount);
        if (problem) throw new MagpieError(ErrorCode.INVALID_USER_ID, problem);
        if (q.subByVoip.get(voipAccount)) throw new MagpieError(ErrorCode.NAME_TAKEN, `voip account ${voipAccount} is taken`);
        const now = clock.now();
        users.ensureUser(appId, voipAccount, friendlyName);
        const subAccountSid = randomHex32();
        q.insertSub.run(subAccountSid, appId, voipAccount, friendlyName, tokenHash, pwdHash, now);
        return { subAccountSid, subToken, voipAccount, voipPwd, friendlyName, appId, dateCreated: isoDate(now) };
      });
      return create.immediate();
    },

    listSubAccounts(appId) {
      requireApp(appId);
      return (q.subsOf.all(appId) as RawSub[]).map((row) => publicSub(toSub(row)));
    },

    listSubAccountsPage(appId, offset, limit) {
      requireApp(appId);
      const items = (q.subsPage.all(appId, limit, offset) as RawSub[]).map((row) => publicSub(toSub(row)));
      return { total: q.subsCount.get(appId) ?? 0, items };
    },

    getSubAccount(subAccountSid) {
      const row = q.subBySid.get(subAccountSid) as RawSub | undefined;
      return row && publicSub(toSub(row));
    },

    findByFriendlyName(appId, friendlyName) {
      const name = storedName(friendlyName);
      // then as given: a name stored with its spaces before they were dropped is found too
      const row = (q.subByFriendlyName.get(appId, name) ?? (name === friendlyName ? undefined : q.subByFriendlyName.get(appId, friendlyName))) as RawSub | undefined;
      return row && publicSub(toSub(row));
    },

    reopenSubAccount(subAccountSid) {
      if (q.reopenSub.run(subAccountSid).changes === 0) {
        throw new MagpieError(ErrorCode.USER_NOT_FOUND, `no sub-account ${subAccountSid}`);
      }
      return publicSub(toSub(q.subBySid.get(subAccountSid) as RawSub));
    },

    closeSubAccount(subAccountSid) {
      if (q.closeSub.run(subAccountSid).changes === 0) {
        throw new MagpieError(ErrorCode.USER_NOT_FOUND, `no sub-account ${subAccountSid}`);
      }
      return publicSub(toSub(q.subBySid.get(subAccountSid) as RawSub));
    },

    resetSubAccountSecrets(subAccountSid) {
      const voipPwd = randomPassword();
      const subToken = randomHex32();
      // hashed before the write, as at creation: scrypt is slow
      const pwdHash = createPasswordVerifier(voipPwd, scryptCost);
      const tokenHash = hashSecret(subToken, scryptCost);
      if (q.setSubSecrets.run(tokenHash, pwdHash, subAccountSid).changes === 0) {
        throw new MagpieError(ErrorCode.USER_NOT_FOUND, `no sub-account ${subAccountSid}`);
      }
      return { ...publicSub(toSub(q.subBySid.get(subAccountSid) as RawSub)), subToken, voipPwd };
    },

    findByVoipAccount(voipAccount) {
      const row = q.subByVoip.get(voipAccount) as RawSub | undefined;
      return row && toSub(row);
    },
  };
}
