import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Logger } from 'pino';
import { redactNatsUrl } from './nats-url';

/** The cluster link's state, as /healthz and /metrics show it. */
export type LinkState = 'connecting' | 'up' | 'down' | 'closed';

/**
 * The node's one connection to NATS. It reconnects forever: a NATS restart only pauses routing
 * (what is stored is pulled by the clients, see cluster-node.ts).
 */
export interface NatsLink {
  readonly state: LinkState;
  /**
   * Publishes now, or drops (and counts) while the link is down: a push or a presence change is
   * stale by the time the link is back, and the reconnect's NOTIFYs and snapshots replace it.
   */
  publish(subject: string, data: Uint8Array): void;
  /** Publishes, or keeps it for the reconnect while the link is down (a force-login kick must not be lost). */
  publishKept(subject: string, data: Uint8Array): void;
  /** Calls `onMessage` for each message on the subject, in the order NATS delivers them. */
  subscribe(subject: string, onMessage: (data: Uint8Array, subject: string) => void): void;
  /** Answers every request on the subject with what `reply` gives at that moment. */
  answer(subject: string, reply: () => Uint8Array): void;
  /** Asks whoever answers on the subject; undefined when nobody does (within `timeoutMs`). */
  ask(subject: string, timeoutMs: number): Promise<Uint8Array | undefined>;
  /** Publishes dropped because the link was down (or its reconnect buffer full). */
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
  /** How long the first connect may keep trying before the start fails (NatsUnreachableError). */
  readonly startTimeoutMs: number;
}

/**
 * NATS could not be reached while the node started: a mistyped URL or a NATS that is not there
 * must end the start with a reason, not look like a hung node. The message never holds the
 * URL's credentials.
 */
export class NatsUnreachableError extends Error {
  constructor(shownUrl: string, reason: string) {
    super(`cannot reach NATS at ${shownUrl}: ${reason}`);
    this.name = 'NatsUnreachableError';
  }
}

/**
 * Resolves once connected: a node does not start routing before its link is up. The first connect
 * is retried for startTimeoutMs at most, then rejects with NatsUnreachableError; once up, the link
 * reconnects forever.
 */
export async function openNatsLink(deps: NatsLinkDeps): Promise<NatsLink> {
  const { log } = deps;
  // the URL may carry credentials: logs show it without them
  const shownUrl = redactNatsUrl(deps.url);
  let state: LinkState = 'connecting';
  let dropped = 0;
  // a node waits for NATS at start (it routes nothing without it); say so while it waits
  const waiting = setTimeout(() => log.warn({ url: shownUrl }, 'waiting for NATS to accept the cluster link'), 2_000);
  let connection: NatsConnection;
  try {
    connection = await connectAtStart(deps, shownUrl);
  } finally {
    clearTimeout(waiting);
  }
  state = 'up';
  const subscriptions: Subscription[] = [];

  void (async () => {
    for await (const status of connection.status()) {
      if (status.type === 'disconnect') {
        if ((state as LinkState) === 'closed') continue;
        state = 'down';
        log.warn({ url: shownUrl }, 'cluster link to NATS is down; reconnecting');
        deps.onDisconnect();
      } else if (status.type === 'reconnect') {
        state = 'up';
        log.warn({ url: shownUrl }, 'cluster link to NATS is up again');
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
      if (state !== 'up') {
        dropped++;
        return;
      }
      try {
        connection.publish(subject, data);
      } catch (error) {
        // the reconnect buffer is full: this push is lost, its message is not (clients pull it)
        dropped++;
        if (dropped === 1 || dropped % 1000 === 0) log.warn({ err: error, dropped }, 'cluster publish dropped');
      }
    },
    publishKept(subject, data) {
      if (state === 'closed') return;
      try {
        // the client's reconnect buffer keeps it while NATS is unreachable
        connection.publish(subject, data);
      } catch (error) {
        dropped++;
        log.warn({ err: error, subject }, 'cluster publish dropped');
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
    answer(subject, reply) {
      subscriptions.push(
        connection.subscribe(subject, {
          callback: (error, message) => {
            if (!error) message.respond(reply());
          },
        }),
      );
    },
    async ask(subject, timeoutMs) {
      try {
        return (await connection.request(subject, undefined, { timeout: timeoutMs })).data;
      } catch {
        // no responders (NATS says so at once) or none within the time
        return undefined;
      }
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

/**
 * Tries to connect until startTimeoutMs has passed, reconnectWaitMs apart. Each try fails fast
 * (waitOnFirstConnect off: nats.js would otherwise retry forever), and a server that accepts the
 * socket but never answers is cut off by the try's timeout, which is what is left of the wait.
 */
async function connectAtStart(deps: NatsLinkDeps, shownUrl: string): Promise<NatsConnection> {
  const deadline = Date.now() + deps.startTimeoutMs;
  for (;;) {
    try {
      return await connect({
        servers: deps.url,
        name: deps.name,
        timeout: Math.max(1, deadline - Date.now()),
        maxReconnectAttempts: -1,
        reconnectTimeWait: deps.reconnectWaitMs,
        reconnectJitter: Math.floor(deps.reconnectWaitMs / 2),
        waitOnFirstConnect: false,
        // a stopped NATS is noticed by the socket's close; pings catch a silent one
        pingInterval: 5_000,
        maxPingOut: 2,
      });
    } catch (error) {
      const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
      if (Date.now() + deps.reconnectWaitMs >= deadline) throw new NatsUnreachableError(shownUrl, redactNatsUrl(reason));
      deps.log.debug({ url: shownUrl, reason: redactNatsUrl(reason) }, 'NATS not reachable yet; trying again');
      await new Promise((resolve) => setTimeout(resolve, deps.reconnectWaitMs));
    }
  }
}
