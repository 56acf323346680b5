import { create } from '@bufbuild/protobuf';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pb } from '../../../protocol';
import { validatedContent } from '../../../server/chat/validate-send';
import { openDatabase } from '../../../server/storage/database';
import { runMigrations } from '../../../server/storage/migrate';
import { migrations } from '../../../server/storage/migrations';
import type { SqlDatabase } from '../../../server/storage/sql-database';
import { createInboxStore } from '../../../server/sync/inbox';

/**
 * The SEND path writes out the messages protobuf-es's `create` would make (it walks the schema on
 * every call). Written out, they must stay exactly what `create` makes, field for field, as the
 * schema changes: every field present with its zero value, none extra.
 */
describe('messages written out on the SEND path', () => {
  let dir: string | undefined;
  let db: SqlDatabase | undefined;
  afterEach(() => {
    db?.close();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('a text message content is the one create() makes', () => {
    const send = create(pb.SendSchema, {
      to: 'g0000000000000001',
      type: pb.MessageType.TEXT,
      text: 'hello @ann',
      mentions: ['ann'],
      mentionAll: true,
      clientMsgId: new Uint8Array(16).fill(7),
    });
    const { content } = validatedContent(send, true);
    expect(content).toStrictEqual(
      create(pb.MessageSchema, { type: send.type, text: send.text, mentions: ['ann'], mentionAll: true }),
    );
    // its own list, not the SEND's
    expect(content.mentions).not.toBe(send.mentions);
  });

  it('a one-to-one burn-after-reading text too', () => {
    const send = create(pb.SendSchema, { to: 'bob', type: pb.MessageType.TEXT, text: 'gone soon', burnAfterReading: true, clientMsgId: new Uint8Array(16) });
    expect(validatedContent(send, false).content).toStrictEqual(
      create(pb.MessageSchema, { type: pb.MessageType.TEXT, text: 'gone soon', burnAfterReading: true }),
    );
  });

  it('an inbox entry of a message is the one create() makes', () => {
    dir = mkdtempSync(join(tmpdir(), 'magpie-literals-'));
    db = openDatabase(dir, { busyTimeoutMs: 1000 });
    runMigrations(db, migrations);
    const inbox = createInboxStore(db);
    const message = create(pb.MessageSchema, { msgId: 5n, from: 'ann', text: 'hi', type: pb.MessageType.TEXT });
    const inboxDb = db;
    const [appended] = inboxDb.transaction(() => inbox.append('app1', ['bob'], { case: 'message', message, own: false }))();
    expect(appended!.entry).toStrictEqual(create(pb.EntrySchema, { seq: appended!.entry.seq, item: { case: 'message', value: message } }));
    expect(appended!.entry.seq).toBe(1n);
  });
});
