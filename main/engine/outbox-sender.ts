import type { MessageInitShape } from '@bufbuild/protobuf';
import { ErrorCode, MagpieError } from '../../protocol';
import type { pb } from '../../protocol';
import type { Link } from './link';

export type SendInit = MessageInitShape<typeof pb.SendSchema>;

export interface OutboxItem {
  /** Hex of the 16-byte client message id. */
  readonly clientMsgId: string;
  readonly send: SendInit;
}

export interface SentReceipt {
  readonly msgId: number;
  readonly timeMs: number;
  readonly seq: number;
}

/** The outbox rows in SQLite, behind this narrow seam. */
export interface OutboxLedger {
  /** Items still waiting for the server's receipt, oldest first. */
  pending(): OutboxItem[];
  markSent(clientMsgId: string, receipt: SentReceipt): void;
  markFailed(clientMsgId: string, code: number, message: string): void;
}

/** Errors after which the same message is sent again on the next connection. */
const RETRYABLE: ReadonlySet<number> = new Set([
  ErrorCode.RATE_LIMITED,
  ErrorCode.REQUEST_TIMEOUT,
  ErrorCode.CONNECTION_CLOSED,
  ErrorCode.NOT_CONNECTED,
  ErrorCode.INTERNAL,
  ErrorCode.SERVER_SHUTTING_DOWN,
  ErrorCode.CANCELLED,
]);

export function isRetryableSendError(code: number): boolean {
  return RETRYABLE.has(code);
}

/**
 * Sends what the outbox holds. A message is written to SQLite before it is handed here, goes out
 * when a link is online, keeps its client id on every retry (the server answers a repeat with the
 * same receipt), and leaves the outbox only with the server's receipt or a final error.
 */
export class OutboxSender {
  private link: Link | undefined;
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly deps: {
      readonly ledger: OutboxLedger;
      readonly onSettled: (clientMsgId: string, outcome: { receipt: SentReceipt } | { error: MagpieError }) => void;
      readonly onError: (error: unknown) => void;
      /** A retryable failure on a link that stays open is sent again after this long. */
      readonly retryDelayMs: number;
      readonly setTimeout: (callback: () => void, ms: number) => unknown;
    },
  ) {}

  /** A link is online: send everything still pending, oldest first. */
  attach(link: Link): void {
    this.link = link;
    for (const item of this.deps.ledger.pending()) this.transmit(item);
  }

  detach(): void {
    this.link = undefined;
  }

  /** A new item was stored: send it now if online. */
  submit(item: OutboxItem): void {
    this.transmit(item);
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  private transmit(item: OutboxItem): void {
    const link = this.link;
    if (!link || !link.isOpen || this.inFlight.has(item.clientMsgId)) return;
    this.inFlight.add(item.clientMsgId);
    link
      .request('SEND', item.send)
      .then((answer) => {
        if (answer.name !== 'SENT') throw new MagpieError(ErrorCode.UNEXPECTED_FRAME, `SEND answered by ${answer.name}`);
        const receipt = { msgId: Number(answer.body.msgId), timeMs: Number(answer.body.timeMs), seq: Number(answer.body.seq) };
        this.deps.ledger.markSent(item.clientMsgId, receipt);
        this.deps.onSettled(item.clientMsgId, { receipt });
      })
      .catch((error: unknown) => {
        const magpieError = error instanceof MagpieError ? error : new MagpieError(ErrorCode.INTERNAL, String(error));
        if (isRetryableSendError(magpieError.code)) {
          // stays pending: sent again soon on this link, or by attach() on the next one
          this.deps.setTimeout(() => {
            if (this.link === link && link.isOpen) this.transmit(item);
          }, this.deps.retryDelayMs);
          return;
        }
        this.deps.ledger.markFailed(item.clientMsgId, magpieError.code, magpieError.message);
        this.deps.onSettled(item.clientMsgId, { error: magpieError });
      })
      .catch((error: unknown) => this.deps.onError(error))
      .finally(() => this.inFlight.delete(item.clientMsgId));
  }
}
