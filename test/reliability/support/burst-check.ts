import type { MagpieClient } from '../../../main/client/magpie-client';
import { createChatService } from '../../../main/chat/chat-service';
import { sleep } from './client-pool';
import { countDelivery, messageText, readClientStore, type DeliveryCount } from './delivery-count';

/** Writes `count` numbered texts from the client to `to` as fast as the store takes them (the outbox sends). */
export async function sendBurst(client: MagpieClient, to: string, count: number): Promise<void> {
  const chat = createChatService(client);
  for (let i = 0; i < count; i++) {
    await chat.send(to, { kind: 'text', text: messageText(client.selfId, i) });
    // let the outbox and the sockets breathe during a long burst
    if (i % 100 === 0) await sleep(0);
  }
}

/** Outgoing messages of a conversation that the server has acknowledged. */
export function sentCount(client: MagpieClient, conversation: string): number {
  const row = client.store.db
    .prepare(`SELECT count(*) AS n FROM messages WHERE conversation = ? AND outgoing = 1 AND state IN ('sent', 'read')`)
    .get(conversation) as { n: number };
  return row.n;
}

/** Incoming messages of a conversation in the store. */
export function receivedCount(client: MagpieClient, conversation: string): number {
  const row = client.store.db.prepare(`SELECT count(*) AS n FROM messages WHERE conversation = ? AND outgoing = 0`).get(conversation) as {
    n: number;
  };
  return row.n;
}

/** What a finished burst left in both stores, read from the SQLite files after both clients closed. */
export interface BurstOutcome {
  /** The receiver's store against what the sender wrote. */
  readonly delivery: DeliveryCount;
  /** The sender's own copies, by state ({ sent: N } when every one was acknowledged). */
  readonly senderStates: Record<string, number>;
  /** The sender's own copies against what it wrote (its history view). */
  readonly senderCopies: DeliveryCount;
  readonly senderOutboxPending: number;
}

export function burstOutcome(senderFile: string, sender: string, receiverFile: string, receiver: string, count: number): BurstOutcome {
  const atSender = readClientStore(senderFile, receiver);
  const atReceiver = readClientStore(receiverFile, sender);
  return {
    delivery: countDelivery(sender, count, atReceiver.incomingTexts),
    senderStates: atSender.outgoingStates,
    senderCopies: countDelivery(sender, count, atSender.outgoingTexts),
    senderOutboxPending: atSender.outboxPending,
  };
}

/** The three numbers a scenario asserts are zero. */
export function faults(count: DeliveryCount): { lost: number; duplicated: number; misordered: number } {
  return { lost: count.lost, duplicated: count.duplicated, misordered: count.misordered };
}
