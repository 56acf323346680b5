import { create } from '@bufbuild/protobuf';
import { pb, type InitOf } from '../../protocol';
import type { SentReceipt } from '../engine/outbox-sender';

/**
 * The entry a SENT stands for: the own copy of the message in the sender's inbox, as the server
 * stored it (docs/protocol.md, section 7): the SEND's content with the receipt's id, time and seq.
 * The message's row is already in the store (written before it was sent), so applying this entry
 * marks that row sent and moves the applied seq; its content is stored only should that row be gone.
 */
export function ownEntry(selfId: string, send: InitOf<'SEND'>, receipt: SentReceipt): pb.Entry {
  const sent = create(pb.SendSchema, send);
  const message = create(pb.MessageSchema, {
    msgId: BigInt(receipt.msgId),
    from: selfId,
    to: sent.to,
    timeMs: BigInt(receipt.timeMs),
    type: sent.type,
    text: sent.text,
    mentions: sent.mentions,
    mentionAll: sent.mentionAll,
    burnAfterReading: sent.burnAfterReading,
    clientMsgId: sent.clientMsgId,
    ...(sent.media ? { media: sent.media } : {}),
    ...(sent.location ? { location: sent.location } : {}),
    ...(sent.custom ? { custom: sent.custom } : {}),
  });
  return create(pb.EntrySchema, { seq: BigInt(receipt.seq), item: { case: 'message', value: message } });
}
