import { verifierFromLegacyHash } from '../../identity/password-verifier';
import type { Migration } from '../migration';

/**
 * Password logins prove the password instead of sending it (docs/protocol.md "Password login"), so
 * a sub-account's voip_pwd_hash becomes StoredKey + ServerKey. The old `scrypt$…$hash` is the
 * salted password those keys are derived from, so every row converts without its password; the
 * old value, which the proof could be made from, is gone afterwards.
 */
export const migration0004PasswordVerifiers: Migration = {
  version: 4,
  name: 'password-verifiers',
  up(db) {
    const rows = db.prepare('SELECT sub_account_sid, voip_pwd_hash FROM sub_accounts').all() as {
      sub_account_sid: string;
      voip_pwd_hash: string;
    }[];
    const update = db.prepare('UPDATE sub_accounts SET voip_pwd_hash = ? WHERE sub_account_sid = ?');
    for (const row of rows) {
      const verifier = verifierFromLegacyHash(row.voip_pwd_hash);
      if (verifier) update.run(verifier, row.sub_account_sid);
    }
  },
};
