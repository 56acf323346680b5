import type { Migration } from '../migration';

/**
 * groups.mute_all: while 1, only the owner and admins may send to the group (SEND answers the
 * others GROUP_MUTED_ALL); turned on and off by a MODIFY (server/groups/ops-lifecycle.ts).
 */
export const migration0014GroupMuteAll: Migration = {
  version: 14,
  name: 'group-mute-all',
  up(db) {
    db.exec('ALTER TABLE groups ADD COLUMN mute_all INTEGER NOT NULL DEFAULT 0');
  },
};
