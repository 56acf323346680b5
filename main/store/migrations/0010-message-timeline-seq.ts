import type { Migration } from '../migrate';

/**
 * messages.timeline_seq: a large group's message keeps its seq in the group's timeline (protocol
 * 2.1), the server's order of the timeline's messages, which places two of them stamped with one
 * millisecond (compareConversationItems). NULL for every other message, and for the ones stored
 * before: their timeline seq was not kept.
 */
export const migration0010: Migration = {
  version: 10,
  name: 'message-timeline-seq',
  up(db) {
    db.exec('ALTER TABLE messages ADD COLUMN timeline_seq INTEGER');
  },
};
