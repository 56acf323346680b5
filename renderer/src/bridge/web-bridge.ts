/**
 * The MagpieApi of the web shell: the same contract as window.magpie, carried over one WebSocket
 * (WebClientMessage out, WebServerMessage in). Calls made while the socket is (re)connecting wait
 * for it (a while only, once it was up: the app may be gone); when the socket drops, every call still waiting gets an error Result, and the bridge
 * reconnects with a growing delay.
 */
import {
  ApiErrorCode, type EventName, type EventPayloads, type MagpieApi, type MethodArgs, type MethodName, type MethodResult, type Result, type WebClientMessage, type WebServerMessage,
} from '../../../preload/api';

/** What a call gets when the socket to the app is gone: the contract's CONNECTION_CLOSED. */
export const BRIDGE_CLOSED_CODE = ApiErrorCode.CONNECTION_CLOSED;

/** The part of the browser's WebSocket the bridge uses, so tests can hand in a fake. */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: unknown) => void) | null;
  onerror: ((event: unknown) => void) | null;
}

export interface BridgeTimers {
  setTimeout(callback: () => void, delayMs: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface WebBridgeOptions {
  url: string;
  createSocket: (url: string) => SocketLike;
  timers: BridgeTimers;
  /** Delay before reconnect attempt n (0-based). */
  reconnectDelayMs?: (attempt: number) => number;
  /**
   * How long a call made while the link is down (after it was up once) waits for it to come back
   * before it fails: the app behind it may be gone, and a send must not hang with its text lost.
   */
  queuedCallTimeoutMs?: number;
}

const DEFAULT_QUEUED_CALL_TIMEOUT_MS = 5_000;

export interface WebBridge extends MagpieApi {
  /** Called each time the socket opens again after a drop, so the page can refresh what it shows. */
  onReopen(listener: () => void): () => void;
  /** Told true when the socket to the app opens and false when it drops, so the page can show a dead link. */
  onLinkChange(listener: (up: boolean) => void): () => void;
  close(): void;
}

const OPEN = 1;

interface Pending {
  message: string;
  sent: boolean;
  resolve: (result: Result<unknown>) => void;
  /** The give-up timer of a call queued while the link was down. */
  timer?: unknown;
}

/** ws://host/api?token=T for a page served at http://host/?token=T. */
export function webSocketUrl(location: { host: string; search: string; protocol: string }): string {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${location.host}/api?token=${encodeURIComponent(token)}`;
}

export function defaultReconnectDelayMs(attempt: number): number {
  return Math.min(10_000, 500 * 2 ** attempt);
}

export function createWebBridge(options: WebBridgeOptions): WebBridge {
  const delay = options.reconnectDelayMs ?? defaultReconnectDelayMs;
  const pending = new Map<number, Pending>();
  const listeners = new Map<EventName, Set<(payload: unknown) => void>>();
  const reopenListeners = new Set<() => void>();
  const linkListeners = new Set<(up: boolean) => void>();
  let nextId = 1;
  let socket: SocketLike | null = null;
  let attempt = 0;
  let everOpened = false;
  let closedByUser = false;
  let reconnectTimer: unknown = null;

  function connect(): void {
    const s = options.createSocket(options.url);
    socket = s;
    s.onopen = () => {
      attempt = 0;
      for (const p of pending.values()) {
        if (!p.sent) {
          s.send(p.message);
          p.sent = true;
          if (p.timer !== undefined) options.timers.clearTimeout(p.timer);
        }
      }
      if (everOpened) for (const l of reopenListeners) l();
      everOpened = true;
      for (const l of linkListeners) l(true);
    };
    s.onmessage = (event) => {
      if (typeof event.data === 'string') handleMessage(event.data);
    };
    s.onerror = () => undefined;
    s.onclose = () => {
      if (socket !== s) return;
      socket = null;
      failAll();
      if (!closedByUser) {
        for (const l of linkListeners) l(false);
        scheduleReconnect();
      }
    };
  }

  function handleMessage(text: string): void {
    let message: WebServerMessage;
    try {
      message = JSON.parse(text) as WebServerMessage;
    } catch {
      return;
    }
    if (message.type === 'result') {
      const p = pending.get(message.id);
      if (!p) return;
      pending.delete(message.id);
      p.resolve(message.result);
    } else if (message.type === 'event') {
      const set = listeners.get(message.event);
      if (set) for (const l of [...set]) l(message.payload);
    }
  }

  function failAll(): void {
    const waiting = [...pending.values()];
    pending.clear();
    for (const p of waiting) {
      p.resolve({ ok: false, error: { code: BRIDGE_CLOSED_CODE, message: 'connection to the app closed' } });
    }
  }

  function scheduleReconnect(): void {
    const wait = delay(attempt);
    attempt += 1;
    reconnectTimer = options.timers.setTimeout(() => {
      reconnectTimer = null;
      if (!closedByUser) connect();
    }, wait);
  }

  function invoke<M extends MethodName>(method: M, args: MethodArgs<M>): Promise<Result<MethodResult<M>>> {
    if (closedByUser) {
      return Promise.resolve({ ok: false, error: { code: BRIDGE_CLOSED_CODE, message: 'bridge closed' } });
    }
    const id = nextId++;
    const outgoing: WebClientMessage = { type: 'invoke', id, method, args };
    return new Promise((resolve) => {
      const p: Pending = { message: JSON.stringify(outgoing), sent: false, resolve: resolve as (r: Result<unknown>) => void };
      pending.set(id, p);
      if (socket && socket.readyState === OPEN) {
        socket.send(p.message);
        p.sent = true;
      } else if (everOpened) {
        p.timer = options.timers.setTimeout(() => {
          if (pending.get(id) !== p || p.sent) return;
          pending.delete(id);
          resolve({ ok: false, error: { code: BRIDGE_CLOSED_CODE, message: 'the app did not come back' } } as Result<MethodResult<M>>);
        }, options.queuedCallTimeoutMs ?? DEFAULT_QUEUED_CALL_TIMEOUT_MS);
      }
    });
  }

  function on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void {
    let set = listeners.get(event);
    if (!set) {
      set = new Set();
      listeners.set(event, set);
    }
    const wrapped = listener as (payload: unknown) => void;
    set.add(wrapped);
    return () => {
      set.delete(wrapped);
    };
  }

  connect();

  return {
    invoke,
    on,
    onReopen(listener) {
      reopenListeners.add(listener);
      return () => {
        reopenListeners.delete(listener);
      };
    },
    onLinkChange(listener) {
      linkListeners.add(listener);
      return () => {
        linkListeners.delete(listener);
      };
    },
    close() {
      closedByUser = true;
      if (reconnectTimer !== null) options.timers.clearTimeout(reconnectTimer);
      const s = socket;
      socket = null;
      failAll();
      s?.close();
    },
  };
}
