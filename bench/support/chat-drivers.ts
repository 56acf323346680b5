/**
 * One sender and one receiver on each system, behind one small interface, so the 1:1 and wire
 * benchmarks drive Magpie, XMPP and MQTT the same way: send(text) on A, onReceive(text) on B.
 */
import { client as xmppClient, xml, type XmppClient } from '@xmpp/client';
import mqtt from 'mqtt';
import { WireClient, pushedText } from './magpie-wire-client';

export interface ChatPair {
  readonly name: string;
  /** A sends a text to B; no waiting. */
  send(text: string): void;
  /** Called once for every text B receives. */
  onReceive: (text: string) => void;
  close(): Promise<void>;
}

export interface MagpieTarget {
  readonly port: number;
  readonly appId: string;
  readonly appToken: string;
}

export interface PairPorts {
  /** Where A and B connect (default: the server's port), e.g. two counting proxies. */
  readonly portA?: number;
  readonly portB?: number;
}

/** alice → bob on Magpie; bob confirms pushes coalesced over confirmDelayMs (200 ms, as the desktop client does). */
export async function magpiePair(server: MagpieTarget, options: PairPorts & { confirmDelayMs?: number } = {}): Promise<ChatPair> {
  const a = await WireClient.login(options.portA ?? server.port, server.appId, server.appToken, 'alice');
  const b = await WireClient.login(options.portB ?? server.port, server.appId, server.appToken, 'bob', { confirmDelayMs: options.confirmDelayMs ?? 200 });
  const pair: ChatPair = {
    name: 'Magpie',
    send: (text) => a.sendText('bob', text),
    onReceive: () => undefined,
    async close() {
      await Promise.all([a.close(), b.close()]);
    },
  };
  b.onPush = (frame) => {
    const text = pushedText(frame);
    if (text !== undefined) pair.onReceive(text);
  };
  return pair;
}

/** An XMPP session over plain TCP, online with initial presence (so messages reach this session). */
export async function connectXmppUser(port: number, domain: string, username: string, password: string): Promise<XmppClient> {
  const entity = xmppClient({ service: `xmpp://127.0.0.1:${port}`, domain, username, password, resource: 'bench' });
  entity.on('error', () => undefined);
  await entity.start();
  entity.reconnect.stop();
  // the client drops its own listeners when it stops; a reset that comes after must not end the bench
  entity.socket?.on('error', () => undefined);
  await entity.send(xml('presence'));
  return entity;
}

/** alice → bob as XMPP chat messages. */
export async function xmppPair(name: string, port: number, domain: string, password: string, options: PairPorts = {}): Promise<ChatPair> {
  const a = await connectXmppUser(options.portA ?? port, domain, 'alice', password);
  const b = await connectXmppUser(options.portB ?? port, domain, 'bob', password);
  const to = `bob@${domain}`;
  const pair: ChatPair = {
    name,
    send: (text) => void a.send(xml('message', { to, type: 'chat' }, xml('body', {}, text))).catch(() => undefined),
    onReceive: () => undefined,
    async close() {
      // a server still busy with a backlog may not close the stream in time: do not wait for ever
      const stopped = Promise.all([a.stop().catch(() => undefined), b.stop().catch(() => undefined)]);
      await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    },
  };
  b.on('stanza', (stanza) => {
    if (!stanza.is('message')) return;
    const body = stanza.getChildText('body');
    if (body !== null) pair.onReceive(body);
  });
  return pair;
}

/** alice publishes at QoS 1 to bob's topic; bob subscribes at QoS 1. */
export async function mqttPair(port: number): Promise<ChatPair> {
  const url = `mqtt://127.0.0.1:${port}`;
  const a = await mqtt.connectAsync(url, { clientId: 'bench-alice', clean: true, reconnectPeriod: 0 });
  const b = await mqtt.connectAsync(url, { clientId: 'bench-bob', clean: true, reconnectPeriod: 0 });
  await b.subscribeAsync('inbox/bob', { qos: 1 });
  const pair: ChatPair = {
    name: 'mosquitto',
    send: (text) => void a.publish('inbox/bob', text, { qos: 1 }),
    onReceive: () => undefined,
    async close() {
      await Promise.all([a.endAsync(), b.endAsync()]);
    },
  };
  b.on('message', (_topic, payload) => pair.onReceive(payload.toString()));
  return pair;
}
