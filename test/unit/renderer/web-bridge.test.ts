import { describe, expect, it } from 'vitest';
import type { WebClientMessage, WebServerMessage } from '../../../preload/api';
import { BRIDGE_CLOSED_CODE, createWebBridge, webSocketUrl, type SocketLike } from '../../../renderer/src/bridge/web-bridge';

/** A WebSocket the test drives by hand: it records what the page sends and delivers what the test says. */
class FakeSocket implements SocketLike {
  readyState = 0;
  sent: WebClientMessage[] = [];
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data) as WebClientMessage);
  }
  close(): void {
    this.drop();
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(message: WebServerMessage): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop(): void {
    this.readyState = 3;
    this.onclose?.({});
  }
}

function setup() {
  const sockets: FakeSocket[] = [];
  const timers: Array<{ callback: () => void; delayMs: number; cleared: boolean }> = [];
  const bridge = createWebBridge({
    url: 'ws://127.0.0.1:5000/api?token=t',
    createSocket: (url) => {
      const s = new FakeSocket(url);
      sockets.push(s);
      return s;
    },
    timers: {
      setTimeout: (callback, delayMs) => {
        const timer = { callback, delayMs, cleared: false };
        timers.push(timer);
        return timer;
      },
      clearTimeout: (handle) => {
        (handle as { cleared: boolean }).cleared = true;
      },
    },
  });
  const last = () => sockets[sockets.length - 1]!;
  return { bridge, sockets, timers, last };
}

describe('the web bridge', () => {
  it('builds the socket address from the page address and its token', () => {
    expect(webSocketUrl({ protocol: 'http:', host: '127.0.0.1:5000', search: '?token=abc%2B1' })).toBe('ws://127.0.0.1:5000/api?token=abc%2B1');
  });

  it('sends calls made before the socket opens once it opens', async () => {
    const { bridge, last } = setup();
    const reply = bridge.invoke('app.info', {});
    expect(last().sent).toEqual([]);
    last().open();
    expect(last().sent).toEqual([{ type: 'invoke', id: 1, method: 'app.info', args: {} }]);
    last().receive({ type: 'result', id: 1, result: { ok: true, value: { name: 'Magpie', version: '1', shell: 'web' } } });
    expect(await reply).toEqual({ ok: true, value: { name: 'Magpie', version: '1', shell: 'web' } });
  });

  it('matches each result to its own call, whatever order they come back in', async () => {
    const { bridge, last } = setup();
    last().open();
    const a = bridge.invoke('conversations.list', {});
    const b = bridge.invoke('search.messages', { query: 'x' });
    const [first, second] = last().sent;
    last().receive({ type: 'result', id: second!.id, result: { ok: true, value: ['b'] } });
    last().receive({ type: 'result', id: first!.id, result: { ok: false, error: { code: 520006, message: 'wrong password' } } });
    expect(await b).toEqual({ ok: true, value: ['b'] });
    expect(await a).toEqual({ ok: false, error: { code: 520006, message: 'wrong password' } });
  });

  it('delivers events to the listeners of that event until they unsubscribe', () => {
    const { bridge, last } = setup();
    last().open();
    const states: string[] = [];
    const typing: string[] = [];
    const off = bridge.on('connection.state', (info) => states.push(info.state));
    bridge.on('typing', (t) => typing.push(t.from));
    last().receive({ type: 'event', event: 'connection.state', payload: { state: 'online' } });
    last().receive({ type: 'event', event: 'typing', payload: { conversation: 'a', from: 'bob', stopped: false } });
    off();
    last().receive({ type: 'event', event: 'connection.state', payload: { state: 'offline' } });
    expect(states).toEqual(['online']);
    expect(typing).toEqual(['bob']);
  });

  it('answers every waiting call with an error when the socket drops, then reconnects', async () => {
    const { bridge, sockets, timers, last } = setup();
    last().open();
    const sent = bridge.invoke('conversations.list', {});
    last().drop();
    expect(await sent).toEqual({ ok: false, error: { code: BRIDGE_CLOSED_CODE, message: expect.any(String) } });

    expect(timers).toHaveLength(1);
    const queued = bridge.invoke('conversations.list', {});
    timers[0]!.callback();
    expect(sockets).toHaveLength(2);
    last().open();
    expect(last().sent.map((m) => m.method)).toEqual(['conversations.list']);
    last().receive({ type: 'result', id: last().sent[0]!.id, result: { ok: true, value: [] } });
    expect(await queued).toEqual({ ok: true, value: [] });
  });

  it('fails a call made while the link is down once it has waited a while, as the app may be gone', async () => {
    const { bridge, timers, last } = setup();
    last().open();
    last().drop();
    const waiting = bridge.invoke('message.send', { conversation: 'bob', content: { kind: 'text', text: 'hello?' } });
    const giveUp = timers.at(-1)!;
    expect(giveUp.delayMs).toBe(5_000);
    giveUp.callback();
    expect(await waiting).toEqual({ ok: false, error: { code: BRIDGE_CLOSED_CODE, message: expect.any(String) } });
  });

  it('waits longer after each failed reconnect and tells the page when the link is back', () => {
    const { bridge, timers, last } = setup();
    let reopened = 0;
    bridge.onReopen(() => reopened++);
    last().open();
    last().drop();
    timers[0]!.callback();
    last().drop();
    timers[1]!.callback();
    expect(timers[1]!.delayMs).toBeGreaterThan(timers[0]!.delayMs);
    last().open();
    expect(reopened).toBe(1);
    last().drop();
    expect(timers[2]!.delayMs).toBe(timers[0]!.delayMs);
  });

  it('ignores results for unknown ids and text that is not JSON', async () => {
    const { bridge, last } = setup();
    last().open();
    const call = bridge.invoke('app.info', {});
    last().onmessage?.({ data: 'not json' });
    last().receive({ type: 'result', id: 999, result: { ok: true, value: null } });
    last().receive({ type: 'result', id: 1, result: { ok: true, value: 'mine' } });
    expect(await call).toEqual({ ok: true, value: 'mine' });
  });

  it('fails calls at once after close and does not reconnect', async () => {
    const { bridge, sockets, timers, last } = setup();
    last().open();
    const waiting = bridge.invoke('app.info', {});
    bridge.close();
    expect((await waiting).ok).toBe(false);
    expect((await bridge.invoke('app.info', {})).ok).toBe(false);
    expect(timers.filter((t) => !t.cleared)).toHaveLength(0);
    expect(sockets).toHaveLength(1);
  });

  it('tells the page when its link to the app goes down and comes back', () => {
    const { bridge, last, timers } = setup();
    const seen: boolean[] = [];
    bridge.onLinkChange((up) => seen.push(up));
    last().open();
    last().drop();
    timers[timers.length - 1]!.callback();
    last().open();
    expect(seen).toEqual([true, false, true]);
    bridge.close();
    expect(seen).toEqual([true, false, true]);
  });
});
