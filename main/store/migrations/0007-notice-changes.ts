import type { Migration } from '../migrate';

/**
 * What a MODIFY notice changed, and to what (protocol Notice.changed, mode, invite_confirm), as
 * JSON: `{"name":"…","announcement":"…","mode":1,"inviteConfirm":true}`, only the keys that
 * changed. NULL for every other notice and for a MODIFY stored before (or sent by a server
 * without the field): its line says only that the group info changed.
 */
export const migration0007: Migration = {
  version: 7,
  name: 'notice-changes',
  up(db) {
    db.exec('ALTER TABLE notices ADD COLUMN changes TEXT');
  },
};
