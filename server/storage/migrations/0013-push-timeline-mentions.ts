import type { Migration } from '../migration';

/**
 * A large (read-diffused) group's @all is in no member's inbox, so its offline push cannot be told
 * seen by the inbox's confirmed seq: push_pending remembers the newest such message it covers, by
 * group and timeline seq, and the row is dropped unsent once the member's devices confirmed that
 * timeline up to it (server/push/push-queue.ts). NULL: the row covers inbox messages only.
 */
export const migration0013PushTimelineMentions: Migration = {
  version: 13,
  name: 'push-timeline-mentions',
  up(db) {
    db.exec(`
      ALTER TABLE push_pending ADD COLUMN timeline_group TEXT;
      ALTER TABLE push_pending ADD COLUMN timeline_seq INTEGER;
    `);
  },
  postgres(db) {
    db.exec(`
      ALTER TABLE push_pending ADD COLUMN timeline_group TEXT;
      ALTER TABLE push_pending ADD COLUMN timeline_seq BIGINT;
    `);
  },
};
