import type { MagpieClient } from '../../../main/client/magpie-client';
import { createChatService } from '../../../main/chat/chat-service';
import { sleep } from './client-pool';
import { messageText } from './delivery-count';

/** Round trips of real messages, sender to receiver's store: the latency a user feels. */
export interface LatencyProbe {
  /** Sends one message every intervalMs until stop(); resolves with each message's round trip in ms. */
  run(until: () => boolean, intervalMs: number): Promise<number[]>;
  /** Probe messages written so far. */
  readonly sent: () => number;
}

export function createLatencyProbe(sender: MagpieClient, receiver: MagpieClient): LatencyProbe {
  const chat = createChatService(sender);
  const sentAt = new Map<string, number>();
  const roundTrips = new Map<string, number>();
  let index = 0;
  receiver.events.on('ingested', (result) => {
    const now = performance.now();
    for (const message of result.messages) {
      const started = sentAt.get(message.text);
      if (started !== undefined && !roundTrips.has(message.text)) roundTrips.set(message.text, now - started);
    }
  });
  return {
    sent: () => index,
    async run(until, intervalMs) {
      const texts: string[] = [];
      while (!until()) {
        const text = messageText(sender.selfId, index++);
        sentAt.set(text, performance.now());
        texts.push(text);
        await chat.send(receiver.selfId, { kind: 'text', text });
        await sleep(intervalMs);
      }
      // the last ones get a moment to arrive; a missing one counts as lost later, not here
      const deadline = Date.now() + 5_000;
      while (texts.some((text) => !roundTrips.has(text)) && Date.now() < deadline) await sleep(20);
      return texts.filter((text) => roundTrips.has(text)).map((text) => roundTrips.get(text)!);
    },
  };
}

export function percentile(values: readonly number[], share: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)]!;
}
