import { create, fromBinary } from '@bufbuild/protobuf';
import { pb } from '../../protocol';

/** The columns an inbox row and a group-timeline row share: the entry, or the message it points at. */
export interface StoredEntryRow {
  seq: number;
  kind: number;
  item: Buffer | null;
  msg_id: number | null;
  type: number | null;
  burn: number | null;
  sender: string | null;
  target: string | null;
  time_ms: number | null;
  content: Buffer | null;
}

/**
 * Bytes an entry adds to a page besides its stored bytes and the ids it is given: seq, msg_id,
 * time, type, flags, every tag and length. An upper bound, so a page never grows past its budget.
 */
const ENTRY_OVERHEAD_BYTES = 64;

/** What a row adds to a page at most, encoded: its stored bytes plus the ids and overhead it gains. */
export function entrySizeBound(row: StoredEntryRow, withheld: boolean, extraBytes = 0): number {
  const content = withheld ? 0 : (row.content?.length ?? 0);
  return (row.item?.length ?? 0) + content + (row.sender?.length ?? 0) + (row.target?.length ?? 0) + extraBytes + ENTRY_OVERHEAD_BYTES;
}

/**
 * The message a row points at: the stored content holds what the sender wrote, the columns who and
 * when (`to` is the caller's to set: it depends on the reader). Fields the protocol does not name
 * are dropped, should an old row hold any; an oversized one goes out as a withheld shell.
 */
export function messageOfRow(row: StoredEntryRow, withheld: boolean): pb.Message {
  const message = withheld
    ? create(pb.MessageSchema, { type: (row.type ?? 0) as pb.MessageType, burnAfterReading: row.burn === 1, withheld: true })
    : fromBinary(pb.MessageSchema, row.content ?? new Uint8Array(0), { readUnknownFields: false });
  message.msgId = BigInt(row.msg_id ?? 0);
  message.from = row.sender ?? '';
  message.timeMs = BigInt(row.time_ms ?? 0);
  return message;
}
