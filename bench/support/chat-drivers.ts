/**
 * A sender and a receiver in this process, behind one small interface, for the wire benchmark
 * (the 1:1 benchmark runs each end in a process of its own: chat-ends.ts), and an XMPP login.
 */
import { client as xmppClient, xml, type XmppClient } from '@xmpp/client';
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
