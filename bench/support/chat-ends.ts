/**
 * One end of a 1:1 chat (the sender A or the receiver B) on each system, so that each end can run
 * in a process of its own (chat-end-child.ts): send(text) on A, onReceive(text) on B.
 */
import { xml } from '@xmpp/client';
import mqtt from 'mqtt';
import { connectXmppUser } from './chat-drivers';
import { WireClient, pushedText } from './magpie-wire-client';

export type ChatSystem =
  | {
      readonly kind: 'magpie';
      readonly port: number;
      /** The receiver's node in a cluster (default: port, the sender's). */
      readonly receiverPort?: number;
      readonly appId: string;
      readonly appToken: string;
      readonly confirmDelayMs?: number;
    }
  | { readonly kind: 'xmpp'; readonly port: number; readonly domain: string; readonly password: string }
  | { readonly kind: 'mqtt'; readonly port: number };

export type ChatRole = 'sender' | 'receiver';

export interface ChatEnd {
  /** On the sender: sends a text to B, no waiting. */
  send(text: string): void;
  /** On the receiver: called once for every text B receives. */
  onReceive: (text: string) => void;
  close(): Promise<void>;
}

export async function openChatEnd(system: ChatSystem, role: ChatRole): Promise<ChatEnd> {
  switch (system.kind) {
    case 'magpie':
      return magpieEnd(system, role);
    case 'xmpp':
      return xmppEnd(system, role);
    case 'mqtt':
      return mqttEnd(system, role);
  }
}

/** alice sends; bob confirms pushes coalesced over confirmDelayMs (200 ms, as the desktop client does). */
async function magpieEnd(system: Extract<ChatSystem, { kind: 'magpie' }>, role: ChatRole): Promise<ChatEnd> {
  const user = role === 'sender' ? 'alice' : 'bob';
  const options = role === 'receiver' ? { confirmDelayMs: system.confirmDelayMs ?? 200 } : {};
  const port = role === 'receiver' ? (system.receiverPort ?? system.port) : system.port;
  const client = await WireClient.login(port, system.appId, system.appToken, user, options);
  const end: ChatEnd = {
    send: (text) => client.sendText('bob', text),
    onReceive: () => undefined,
    close: () => client.close(),
  };
  client.onPush = (frame) => {
    const text = pushedText(frame);
    if (text !== undefined) end.onReceive(text);
  };
  return end;
}

async function xmppEnd(system: Extract<ChatSystem, { kind: 'xmpp' }>, role: ChatRole): Promise<ChatEnd> {
  const entity = await connectXmppUser(system.port, system.domain, role === 'sender' ? 'alice' : 'bob', system.password);
  const to = `bob@${system.domain}`;
  const end: ChatEnd = {
    send: (text) => void entity.send(xml('message', { to, type: 'chat' }, xml('body', {}, text))).catch(() => undefined),
    onReceive: () => undefined,
    async close() {
      // a server still busy with a backlog may not close the stream in time: do not wait for ever
      await Promise.race([entity.stop().catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 5_000))]);
    },
  };
  entity.on('stanza', (stanza) => {
    if (!stanza.is('message')) return;
    const body = stanza.getChildText('body');
    if (body !== null) end.onReceive(body);
  });
  return end;
}

/** alice publishes at QoS 1 to bob's topic; bob subscribes at QoS 1. */
async function mqttEnd(system: Extract<ChatSystem, { kind: 'mqtt' }>, role: ChatRole): Promise<ChatEnd> {
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${system.port}`, { clientId: `bench-${role}`, clean: true, reconnectPeriod: 0 });
  if (role === 'receiver') await client.subscribeAsync('inbox/bob', { qos: 1 });
  const end: ChatEnd = {
    send: (text) => void client.publish('inbox/bob', text, { qos: 1 }),
    onReceive: () => undefined,
    close: () => client.endAsync(),
  };
  client.on('message', (_topic, payload) => end.onReceive(payload.toString()));
  return end;
}
