import type { Migration } from '../migration';

/**
 * Main accounts, apps, users and sub-accounts. Tokens the server only checks are stored as scrypt
 * hashes; the app token is stored encrypted with the server key, because the signed and app-token
 * logins need its value (see server/identity/server-key.ts).
 */
export const migration0001Identity: Migration = {
  version: 1,
  name: 'identity',
  up(db) {
    db.exec(`
      CREATE TABLE accounts (
        account_sid TEXT PRIMARY KEY,
        auth_token_hash TEXT NOT NULL,
        created_ms INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE apps (
        app_id TEXT PRIMARY KEY,
        account_sid TEXT NOT NULL REFERENCES accounts(account_sid),
        name TEXT NOT NULL,
        app_token_sealed TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('online', 'offline')),
        created_ms INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX apps_by_account ON apps(account_sid);

      -- everyone who can appear in an app: sub-accounts and app-token users alike
      CREATE TABLE users (
        app_id TEXT NOT NULL REFERENCES apps(app_id),
        user_id TEXT NOT NULL,
        nickname TEXT NOT NULL DEFAULT '',
        avatar TEXT NOT NULL DEFAULT '',
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL,
        UNIQUE (app_id, user_id)
      ) STRICT;

      CREATE TABLE sub_accounts (
        sub_account_sid TEXT PRIMARY KEY,
        app_id TEXT NOT NULL REFERENCES apps(app_id),
        voip_account TEXT NOT NULL UNIQUE,
        friendly_name TEXT NOT NULL,
        sub_token_hash TEXT NOT NULL,
        voip_pwd_hash TEXT NOT NULL,
        closed INTEGER NOT NULL DEFAULT 0,
        date_created INTEGER NOT NULL,
        UNIQUE (app_id, friendly_name),
        FOREIGN KEY (app_id, voip_account) REFERENCES users(app_id, user_id)
      ) STRICT;
    `);
  },
};
