import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { pb } from '../../../../protocol';
import { openClientStoreFile, type ClientStore } from '../../../../main/store';

/** Builders of inbox entries as the server sends them, for store tests. */
export interface MessageFields {
  msgId: number;
  from: string;
  to: string;
  text?: string;
  timeMs?: number;
  type?: pb.MessageType;
  mentions?: string[];
  clientMsgId?: Uint8Array;
  burnAfterReading?: boolean;
  media?: { fileId: string; name: string; size: number; mime: string };
}

export function messageEntry(seq: number, fields: MessageFields): pb.Entry {
  const message = create(pb.MessageSchema, {
    msgId: BigInt(fields.msgId),
    from: fields.from,
    to: fields.to,
    text: fields.text ?? '',
    timeMs: BigInt(fields.timeMs ?? 1_700_000_000_000 + fields.msgId * 1000),
    type: fields.type ?? pb.MessageType.TEXT,
    mentions: fields.mentions ?? [],
    burnAfterReading: fields.burnAfterReading ?? false,
    clientMsgId: fields.clientMsgId ?? new Uint8Array(),
    media: fields.media ? create(pb.MediaSchema, { ...fields.media, size: BigInt(fields.media.size) }) : undefined,
  });
  return create(pb.EntrySchema, { seq: BigInt(seq), item: { case: 'message', value: message } });
}

export function revokedEntry(seq: number, msgId: number, by: string, conversation: string): pb.Entry {
  const value = create(pb.RevokedSchema, { msgId: BigInt(msgId), by, conversation, timeMs: 1n });
  return create(pb.EntrySchema, { seq: BigInt(seq), item: { case: 'revoked', value } });
}

export function burnedEntry(seq: number, msgId: number, conversation: string): pb.Entry {
  const value = create(pb.BurnedSchema, { msgId: BigInt(msgId), conversation });
  return create(pb.EntrySchema, { seq: BigInt(seq), item: { case: 'burned', value } });
}

export function readEntry(seq: number, reader: string, conversation: string, upToMsgId: number): pb.Entry {
  const value = create(pb.ReadReceiptSchema, { reader, conversation, upToMsgId: BigInt(upToMsgId), timeMs: 1n });
  return create(pb.EntrySchema, { seq: BigInt(seq), item: { case: 'read', value } });
}

export function noticeEntry(
  seq: number,
  fields: {
    kind: pb.NoticeKind;
    groupId: string;
    actor: string;
    targets?: string[];
    groupName?: string;
    role?: pb.GroupRole;
    text?: string;
    changed?: pb.GroupField[];
    mode?: pb.GroupMode;
    inviteConfirm?: boolean;
    /** MUTE: the end, as milliseconds after the notice's time (1_700_000_000_000 + seq). */
    muteForMs?: number;
    muteAll?: boolean;
  },
): pb.Entry {
  const value = create(pb.NoticeSchema, {
    kind: fields.kind,
    groupId: fields.groupId,
    actor: fields.actor,
    targets: fields.targets ?? [],
    groupName: fields.groupName ?? '',
    role: fields.role ?? pb.GroupRole.NONE,
    text: fields.text ?? '',
    changed: fields.changed ?? [],
    mode: fields.mode ?? pb.GroupMode.PUBLIC,
    inviteConfirm: fields.inviteConfirm ?? false,
    muteAll: fields.muteAll ?? false,
    timeMs: BigInt(1_700_000_000_000 + seq),
    muteUntilMs: fields.muteForMs === undefined ? 0n : BigInt(1_700_000_000_000 + seq + fields.muteForMs),
  });
  return create(pb.EntrySchema, { seq: BigInt(seq), item: { case: 'notice', value } });
}

/** A store in a fresh temp folder; dispose() closes it and removes the folder. */
export function openTempStore(selfId = 'alice'): {
  store: ClientStore;
  dir: string;
  reopen(): ClientStore;
  dispose(): Promise<void>;
} {
  const dir = mkdtempSync(join(tmpdir(), 'magpie-store-'));
  const file = join(dir, 'magpie.db');
  let store = openClientStoreFile(file, selfId);
  // every store opened here, so dispose() waits for each checkpoint worker to let go of the folder
  const opened = [store];
  return {
    get store() {
      return store;
    },
    dir,
    reopen() {
      store.close();
      store = openClientStoreFile(file, selfId);
      opened.push(store);
      return store;
    },
    async dispose() {
      store.close();
      await Promise.all(opened.map((s) => s.closed));
      rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
}
