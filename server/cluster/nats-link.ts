import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';

/** The cluster link's state, as /healthz and /metrics show it. */
export type LinkState = 'connecting' | 'up' | 'down' | 'closed';

/**
 * The node's one connection to NATS. It reconnects forever: a NATS restart only pauses routing
 * (what is stored is pulled by the clients, see cluster-node.ts). What is published while the
 * link is down waits in the client's reconnect buffer; what cannot wait is dropped (and counted).
 */
export interface NatsLink {
  readonly state: LinkState;
  publish(subject: string, data: Uint8Array): void;
  /** Calls `onMessage` for each message on the subject, in the order NATS delivers them. */
  subscribe(subject: string, onMessage: (data: Uint8Array, subject: string) => void): void;
  /** Publishes failed because the reconnect buffer was full or the link closed. */
  readonly droppedPublishes: number;
  close(): Promise<void>;
}

export interface NatsLinkDeps {
  readonly url: string;
  /** The node's name for NATS' own monitoring. */
  readonly name: string;
  readonly log: Logger;
  /** Called when the link is up again after it was down (not on the first connect). */
  onReconnect(): void;
  /** Called when the link goes down. */
  onDisconnect(): void;
  readonly reconnectWaitMs: number;
}

/** Resolves once connected: a node does not start routing before its link is up. */
export async function openNatsLink(deps: NatsLinkDeps): Promise<NatsLink> {
  const { log } = deps;
  let state: LinkState = 'connecting';
  let dropped = 0;
  const connection: NatsConnection = await connect({
    servers: deps.url,
    name: deps.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: deps.reconnectWaitMs,
    reconnectJitter: Math.floor(deps.reconnectWaitMs / 2),
    waitOnFirstConnect: true,
    // a stopped NATS is noticed by the socket's close; pings catch a silent one
    pingInterval: 5_000,
    maxPingOut: 2,
  });
  state = 'up';
  const subscriptions: Subscription[] = [];

  void (async () => {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect') {
        if ((state as LinkState) === 'closed') continue;
        state = 'down';
        log.warn({ url: deps.url }, 'cluster link to NATS is down; reconnecting');
        deps.onDisconnect();
      } else if (status.type === 'reconnect') {
        state = 'up';
        log.warn({ url: deps.url }, 'cluster link to NATS is up again');
        deps.onReconnect();
      }
    }
  })().catch((error: unknown) => log.error({ err: error }, 'cluster link status loop failed'));

  return {
    get state() {
      return state;
    },
    get droppedPublishes() {
      return dropped;
    },
    publish(subject, data) {
      if (state === 'closed') return;
      try {
        connection.publish(subject, data);
      } catch (error) {
        // the reconnect buffer is full: this push is lost, its message is not (clients pull it)
        dropped++;
        if (dropped === 1 || dropped % 1000 === 0) log.warn({ err: error, dropped }, 'cluster publish dropped');
      }
    },
    subscribe(subject, onMessage) {
      const subscription = connection.subscribe(subject, {
        callback: (error, message) => {
          if (error) {
            log.warn({ err: error, subject }, 'cluster subscription error');
            return;
          }
          try {
            onMessage(message.data, message.subject);
          } catch (thrown) {
            // a bad message from another node is that message's problem only
            log.error({ err: thrown, subject: message.subject }, 'cluster message could not be handled');
          }
        },
      });
      subscriptions.push(subscription);
    },
    async close() {
      if (state === 'closed') return;
      state = 'closed';
      try {
        await connection.drain();
      } catch {
        await connection.close();
      }
    },
  };
}
