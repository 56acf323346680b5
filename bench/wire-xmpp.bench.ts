/**
 * Bytes on the wire, Magpie against XMPP, counted by a TCP proxy in front of each client's socket
 * (payload bytes in both directions, no TCP/IP headers): a 1,000-message exchange A → B sent one
 * after another (each once B has the previous), one "hi", and one ping. Logins are not counted.
 * XMPP is ejabberd driven by @xmpp/client, in its leanest form: no stream management, no receipts.
 * Magpie's figures include its receipts (SENT) and B's CONFIRMs: once per message (worst case,
 * judged against the target) and coalesced over 200 ms as the desktop client does.
 *
 *   npm run bench -- wire-xmpp [--smoke]     (--smoke: 100 messages, no XMPP)
 */
import { xml } from '@xmpp/client';
import { CHAT_TEXTS } from './support/chat-texts';
import { connectXmppUser, magpiePair, type ChatPair } from './support/chat-drivers';
import { startCountingProxy, type CountingProxy } from './support/counting-proxy';
import { forkMagpieServer, type BenchServer } from './support/magpie-server';
import { WireClient } from './support/magpie-wire-client';
import { NOT_INSTALLED, startEjabberd, type Peer } from './support/peers';
import { sleep } from './support/stats';
import { fmt, isSmoke, printTable, type Row } from './support/table';

const smoke = isSmoke();
const MESSAGES = smoke ? 100 : 1_000;
const PASSWORD = 'bench-password';
const SETTLE_MS = 400;

type Proxies = readonly [CountingProxy, CountingProxy];
const total = ([a, b]: Proxies) => a.counts().up + a.counts().down + b.counts().up + b.counts().down;
const reset = (proxies: Proxies) => proxies.forEach((p) => p.reset());

/** Sends the texts in turn, each once B has the previous; resolves with the bytes both sockets carried. */
async function exchange(pair: ChatPair, proxies: Proxies, messages: number): Promise<number> {
  reset(proxies);
  for (let i = 0; i < messages; i++) {
    const text = CHAT_TEXTS[i % CHAT_TEXTS.length]!;
    await new Promise<void>((resolve) => {
      pair.onReceive = (got) => got === text && resolve();
      pair.send(text);
    });
  }
  // the last receipt and confirm are part of the exchange
  await sleep(SETTLE_MS);
  return total(proxies);
}

interface Sizes {
  worstCase: number;
  coalesced?: number;
  hiUp: number;
  hiDown: number;
  pingUp: number;
  pingDown: number;
}

/** Runs fn against a fresh Magpie server behind two counting proxies (A's and B's), so ids start equal. */
async function withMagpie<T>(fn: (server: BenchServer, proxies: Proxies) => Promise<T>): Promise<T> {
  const server = await forkMagpieServer();
  const proxies = [await startCountingProxy(server.port), await startCountingProxy(server.port)] as const;
  try {
    return await fn(server, proxies);
  } finally {
    await Promise.all(proxies.map((p) => p.close()));
    await server.stop();
  }
}

async function magpieExchange(confirmDelayMs: number): Promise<number> {
  return withMagpie(async (server, proxies) => {
    const pair = await magpiePair(server, { portA: proxies[0].port, portB: proxies[1].port, confirmDelayMs });
    try {
      return await exchange(pair, proxies, MESSAGES);
    } finally {
      await pair.close();
    }
  });
}

async function measureMagpie(): Promise<Sizes> {
  const worstCase = await magpieExchange(0);
  const coalesced = await magpieExchange(200);
  return withMagpie(async (server, proxies) => {
    const a = await WireClient.login(proxies[0].port, server.appId, server.appToken, 'alice');
    const b = await WireClient.login(proxies[1].port, server.appId, server.appToken, 'bob');
    reset(proxies);
    const pushed = new Promise<void>((resolve) => (b.onPush = () => resolve()));
    await new Promise<void>((resolve) => a.sendText('bob', 'hi', () => resolve()));
    await pushed;
    await sleep(50);
    const hiUp = proxies[0].counts().up;
    const hiDown = proxies[1].counts().down;
    reset(proxies);
    await new Promise<void>((resolve) => {
      a.onPush = (frame) => frame.name === 'PONG' && resolve();
      a.heartbeat();
    });
    const ping = proxies[0].counts();
    await Promise.all([a.close(), b.close()]);
    return { worstCase, coalesced, hiUp, hiDown, pingUp: ping.up, pingDown: ping.down };
  });
}

async function measureXmpp(peer: Peer): Promise<Sizes> {
  const proxies = [await startCountingProxy(peer.port), await startCountingProxy(peer.port)] as const;
  const a = await connectXmppUser(proxies[0].port, peer.domain, 'alice', PASSWORD);
  const b = await connectXmppUser(proxies[1].port, peer.domain, 'bob', PASSWORD);
  try {
    const to = `bob@${peer.domain}`;
    const pair: ChatPair = {
      name: 'xmpp',
      send: (text) => void a.send(xml('message', { to, type: 'chat' }, xml('body', {}, text))),
      onReceive: () => undefined,
      close: () => Promise.resolve(),
    };
    b.on('stanza', (stanza) => {
      const body = stanza.is('message') ? stanza.getChildText('body') : null;
      if (body !== null) pair.onReceive(body);
    });
    await sleep(SETTLE_MS);
    const worstCase = await exchange(pair, proxies, MESSAGES);

    reset(proxies);
    await new Promise<void>((resolve) => {
      pair.onReceive = () => resolve();
      pair.send('hi');
    });
    await sleep(50);
    const hiUp = proxies[0].counts().up;
    const hiDown = proxies[1].counts().down;

    // XEP-0199: the ping a client sends to its server, and the server's reply
    reset(proxies);
    await new Promise<void>((resolve) => {
      a.on('stanza', (stanza) => stanza.is('iq') && stanza.attrs.id === 'p1' && resolve());
      void a.write(`<iq type='get' id='p1' to='${peer.domain}'><ping xmlns='urn:xmpp:ping'/></iq>`);
    });
    const ping = proxies[0].counts();
    return { worstCase, hiUp, hiDown, pingUp: ping.up, pingDown: ping.down };
  } finally {
    await Promise.all([a.stop().catch(() => undefined), b.stop().catch(() => undefined)]);
    await Promise.all(proxies.map((p) => p.close()));
  }
}

async function main(): Promise<void> {
  const ours = await measureMagpie();
  let theirs: Sizes | undefined;
  let peerName = 'ejabberd';
  let peerNote = smoke ? 'skipped in smoke mode' : NOT_INSTALLED;
  if (!smoke) {
    let peer: Peer | undefined;
    try {
      peer = await startEjabberd(['alice', 'bob'], PASSWORD);
      if (peer) {
        peerName = `ejabberd ${peer.version}`;
        theirs = await measureXmpp(peer);
      }
    } catch (error) {
      peerNote = `failed: ${(error as Error).message}`;
    } finally {
      await peer?.stop();
    }
  }
  const bytes = (n: number) => `${fmt(n)} B`;
  const fewer = (mine: number, other: number) => `${(100 * (1 - mine / other)).toFixed(0)}% fewer`;
  const row = (measure: string, mine: number, other: number | undefined, extra: Partial<Row> = {}): Row => ({
    measure,
    magpie: bytes(mine),
    peer: peerName,
    peerFigure: other === undefined ? peerNote : bytes(other),
    ratio: other === undefined ? '' : fewer(mine, other),
    ...extra,
  });
  const count = fmt(MESSAGES);
  const exchangeMet = theirs === undefined ? {} : { met: ours.worstCase <= 0.4 * theirs.worstCase };
  printTable(`Wire bytes, Magpie against XMPP${smoke ? ' [smoke]' : ''}`, [
    row('"hi", sender → server', ours.hiUp, theirs?.hiUp, { target: '<= 40 B framed', met: ours.hiUp <= 40 }),
    row('"hi", server → recipient', ours.hiDown, theirs?.hiDown),
    row('ping, client → server', ours.pingUp, theirs?.pingUp, { target: '<= 4 B', met: ours.pingUp <= 4 }),
    row('ping reply', ours.pingDown, theirs?.pingDown),
    row(`${count}-message exchange, all bytes`, ours.worstCase, theirs?.worstCase, { target: '>= 60% fewer', ...exchangeMet }),
    row(`  per message`, Math.round(ours.worstCase / MESSAGES), theirs && Math.round(theirs.worstCase / MESSAGES)),
    row(`${count}-message exchange, CONFIRM coalesced 200 ms`, ours.coalesced!, theirs?.worstCase),
  ], [
    'Magpie exchange: SEND + SENT + PUSH + one CONFIRM per message; XMPP: the <message/> stanza out and in, nothing else',
    'each Magpie exchange runs on a fresh server, so msg_id and seq are small varints (1-2 bytes); on a busy server they take a few bytes more per frame',
    'XMPP ping is XEP-0199 (an iq and its result); its whitespace keepalive is 1 byte but gets no answer',
  ]);
}

await main();
