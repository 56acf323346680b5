import { fromBinary } from '@bufbuild/protobuf';
import { pb, type Clock } from '../../protocol';
import type { OutboxLedger } from '../engine/outbox-sender';
import type { ClientStore, StoredMessage } from '../store';

/**
 * The outbox sender's view of the client store: what is pending, one attempt counted per SEND put
 * on the wire, and the receipt or final refusal written back (a receipt deletes the outbox row).
 */
export function createOutboxLedger(deps: {
  readonly store: ClientStore;
  readonly clock: Pick<Clock, 'now'>;
  /** An outgoing message changed state (sent with its ids, or failed). */
  readonly onOutgoing: (message: StoredMessage) => void;
}): OutboxLedger {
  const { store, clock } = deps;
  return {
    pending: () =>
      store.outbox.pending().map((item) => ({ clientMsgId: item.clientMsgId, send: fromBinary(pb.SendSchema, item.body) })),
    noteAttempt: (clientMsgId) => store.outbox.noteAttempt(clientMsgId, clock.now()),
    markSent: (clientMsgId, receipt) => {
      const stored = store.outbox.markSent(clientMsgId, receipt);
      if (stored) deps.onOutgoing(stored);
    },
    markFailed: (clientMsgId, code, message, tooLarge) => {
      store.outbox.markFailed(clientMsgId, code, message, clock.now(), tooLarge);
      const stored = store.messages.getByClientMsgId(clientMsgId);
      if (stored) deps.onOutgoing(stored);
    },
  };
}
