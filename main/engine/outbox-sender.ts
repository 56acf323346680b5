import { ErrorCode, MagpieError, type Clock, type InitOf, type SizeRefusal } from '../../protocol';
import type { Link } from './link';

/** What the sender sends: the store's OutboxItem, its body decoded. */
export interface PendingSend {
  /** Hex of the 16-byte client message id. */
  readonly clientMsgId: string;
  readonly send: InitOf<'SEND'>;
}

export interface SentReceipt {
  readonly msgId: number;
  readonly timeMs: number;
  readonly seq: number;
  /** A large group's message: its seq in the group's timeline (0: not said, protocol 2.0). */
  readonly timelineSeq?: number;
}

/** The outbox rows in SQLite, behind this narrow seam. */
export interface OutboxLedger {
  /** Items still waiting for the server's receipt, oldest first. */
  pending(): PendingSend[];
  /** Its SEND is going on the wire once more (the store counts attempts). */
  noteAttempt(clientMsgId: string): void;
  markSent(clientMsgId: string, receipt: SentReceipt): void;
  /** tooLarge: a refusal for size, its figures as the server gave them. */
  markFailed(clientMsgId: string, code: number, message: string, tooLarge?: SizeRefusal): void;
}

/** Errors after which the same message is sent again on the next connection. */
const RETRYABLE: ReadonlySet<number> = new Set([
  ErrorCode.RATE_LIMITED,
  ErrorCode.REQUEST_TIMEOUT,
  ErrorCode.CONNECTION_CLOSED,
  ErrorCode.NOT_CONNECTED,
  ErrorCode.INTERNAL,
  // the server's disk is full or failing: nothing was stored, the same message goes again later
  ErrorCode.STORAGE_UNAVAILABLE,
  ErrorCode.SERVER_SHUTTING_DOWN,
  ErrorCode.CANCELLED,
  // the sender's stored-bytes budget refills over time: wait, keep the order, do not fail
  ErrorCode.CONTENT_BUDGET_EXCEEDED,
]);

export function isRetryableSendError(code: number): boolean {
  return RETRYABLE.has(code);
}

/**
 * Sends what the outbox holds. A message is written to SQLite before it is handed here, goes out
 * when a link is online, keeps its client id on every retry (the server answers a repeat with the
 * same receipt), and leaves the outbox only with the server's receipt or a final error.
 *
 * Items go out in the order they were written, at most maxInFlight at a time: a link that is cut
 * every few hundred ms still moves the oldest items forward instead of resending the whole
 * backlog on every new connection, and one connection never carries two copies of an item.
 */
export class OutboxSender {
  private link: Link | undefined;
  /** Items waiting for a free slot on the current link, in order. */
  private queue: PendingSend[] = [];
  private readonly queued = new Set<string>();
  /** Items sent on the current link and not yet answered; a new link starts a new set. */
  private inFlight = new Set<string>();
  /** The link a queue rebuild is scheduled for. */
  private requeueFor: Link | undefined;

  constructor(
    private readonly deps: {
      readonly ledger: OutboxLedger;
      readonly onError: (error: unknown) => void;
      /** A retryable failure on a link that stays open is sent again after this long. */
      readonly retryDelayMs: number;
      /** SENDs awaiting their receipt at once, per link. */
      readonly maxInFlight: number;
      readonly clock: Pick<Clock, 'setTimeout'>;
      /** After the receipt is written: the sync engine applies the own copy it stands for. */
      readonly onSent?: (send: InitOf<'SEND'>, receipt: SentReceipt) => void;
      /** The server answered with a retryable error (a full disk, a rate limit): sent again later. */
      readonly onDeferred?: (clientMsgId: string, error: MagpieError) => void;
    },
  ) {}

  /** A link is online: send everything still pending, oldest first. */
  attach(link: Link): void {
    this.link = link;
    // answers still outstanding on an old link will never come: their items go out again here
    this.inFlight = new Set();
    this.clearQueue();
    for (const item of this.deps.ledger.pending()) this.enqueue(item);
    this.pump();
  }

  detach(): void {
    this.link = undefined;
    this.clearQueue();
  }

  /** A new item was stored: send it now if online (after the items written before it). */
  submit(item: PendingSend): void {
    if (!this.link) return;
    this.enqueue(item);
    this.pump();
  }

  get inFlightCount(): number {
    return this.inFlight.size;
  }

  private clearQueue(): void {
    this.queue = [];
    this.queued.clear();
  }

  private enqueue(item: PendingSend): void {
    if (this.queued.has(item.clientMsgId)) return;
    this.queued.add(item.clientMsgId);
    this.queue.push(item);
  }

  /**
   * After retryable failures on a link that stays open (a timeout, a rate limit), the queue is
   * rebuilt from the outbox once, in written order, so the retried items go before newer ones.
   */
  private scheduleRequeue(link: Link): void {
    if (this.requeueFor === link) return;
    this.requeueFor = link;
    this.deps.clock.setTimeout(() => {
      if (this.requeueFor === link) this.requeueFor = undefined;
      if (this.link !== link || !link.isOpen) return;
      this.clearQueue();
      for (const item of this.deps.ledger.pending()) {
        if (!this.inFlight.has(item.clientMsgId)) this.enqueue(item);
      }
      this.pump();
    }, this.deps.retryDelayMs);
  }

  private pump(): void {
    while (this.link?.isOpen && this.inFlight.size < this.deps.maxInFlight && this.queue.length > 0) {
      const item = this.queue.shift()!;
      this.queued.delete(item.clientMsgId);
      if (this.inFlight.has(item.clientMsgId)) continue;
      this.transmit(this.link, item);
    }
  }

  private transmit(link: Link, item: PendingSend): void {
    const flight = this.inFlight;
    flight.add(item.clientMsgId);
    try {
      this.deps.ledger.noteAttempt(item.clientMsgId);
    } catch (error) {
      // a count that could not be written must not keep the message from going out
      this.deps.onError(error);
    }
    link
      .request('SEND', item.send)
      .then((answer) => {
        const receipt = {
          msgId: Number(answer.body.msgId),
          timeMs: Number(answer.body.timeMs),
          seq: Number(answer.body.seq),
          timelineSeq: Number(answer.body.timelineSeq),
        };
        this.deps.ledger.markSent(item.clientMsgId, receipt);
        this.deps.onSent?.(item.send, receipt);
      })
      .catch((error: unknown) => {
        const magpieError = error instanceof MagpieError ? error : new MagpieError(ErrorCode.INTERNAL, String(error));
        if (isRetryableSendError(magpieError.code)) {
          // stays pending: sent again soon on this link, or by attach() on the next one
          this.scheduleRequeue(link);
          this.deps.onDeferred?.(item.clientMsgId, magpieError);
          return;
        }
        this.deps.ledger.markFailed(item.clientMsgId, magpieError.code, magpieError.message, magpieError.tooLarge);
      })
      .catch((error: unknown) => this.deps.onError(error))
      .finally(() => {
        flight.delete(item.clientMsgId);
        if (flight === this.inFlight) this.pump();
      });
  }
}
