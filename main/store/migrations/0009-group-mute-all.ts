import type { Migration } from '../migrate';

/**
 * groups.mute_all: the group's mute all, as the server's GroupInfo and MODIFY notices say it
 * (only the owner and admins may send while it is 1). A group cached before reads 0 until the
 * next group info or notice.
 */
export const migration0009: Migration = {
  version: 9,
  name: 'group-mute-all',
  up(db) {
    db.exec('ALTER TABLE groups ADD COLUMN mute_all INTEGER NOT NULL DEFAULT 0');
  },
};
