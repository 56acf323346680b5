/**
 * Bytes on the wire, Magpie against XMPP, counted by a TCP proxy in front of each client's socket
 * (payload bytes in both directions, no TCP/IP headers): a 1,000-message exchange A → B sent one
 * after another (each once B has the previous), one "hi", and one ping. Logins are not counted.
 * XMPP is ejabberd driven by @xmpp/client, twice: in its leanest form (no stream management, no
 * receipts: the stanza out and in), and like for like, with the guarantees Magpie's frames give:
 * XEP-0198 stream management (every stanza acked hop by hop, <r/> and <a h=…/>, both ways, as
 * SENT acks a SEND and CONFIRM acks a PUSH) and an XEP-0184 receipt from B for every message
 * (Magpie's SENT tells A the message is stored). Magpie's figures include its receipts (SENT) and
 * B's CONFIRMs: once per message (worst case, judged against the target) and coalesced over 200 ms
 * as the desktop client does.
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

/** Runs fn against a fresh Magpie server behind two counting proxies (A's and B's), so seqs start equal (msg ids are time-based). */
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

const RECEIPTS = 'urn:xmpp:receipts';

/**
 * The exchange over XMPP. `likeForLike`: the server offers XEP-0198 and both clients enable it,
 * each asking for an ack (<r/>) right after every stanza it sends (no debounce, as every SEND gets
 * its SENT) and answering every <r/> the server sends; every message asks for an XEP-0184 receipt,
 * which B sends back to A's full JID.
 */
async function measureXmpp(peer: Peer, likeForLike: boolean): Promise<Sizes> {
  const proxies = [await startCountingProxy(peer.port), await startCountingProxy(peer.port)] as const;
  const a = await connectXmppUser(proxies[0].port, peer.domain, 'alice', PASSWORD);
  const b = await connectXmppUser(proxies[1].port, peer.domain, 'bob', PASSWORD);
  try {
    if (likeForLike) {
      // <enabled/> may come just after the session is online
      for (let waited = 0; waited < 3_000 && !(a.streamManagement.enabled && b.streamManagement.enabled); waited += 50) await sleep(50);
      if (!a.streamManagement.enabled || !b.streamManagement.enabled) throw new Error('XEP-0198 stream management is not on');
      a.streamManagement.requestAckDebounce = 0;
      b.streamManagement.requestAckDebounce = 0;
    }
    const to = `bob@${peer.domain}`;
    let sent = 0;
    const pair: ChatPair = {
      name: 'xmpp',
      send: (text) => {
        const body = xml('body', {}, text);
        const stanza = likeForLike ? xml('message', { to, type: 'chat', id: `m${++sent}` }, body, xml('request', { xmlns: RECEIPTS })) : xml('message', { to, type: 'chat' }, body);
        void a.send(stanza);
      },
      onReceive: () => undefined,
      close: () => Promise.resolve(),
    };
    b.on('stanza', (stanza) => {
      const body = stanza.is('message') ? stanza.getChildText('body') : null;
      if (body === null) return;
      if (likeForLike && stanza.getChild('request', RECEIPTS) !== undefined) {
        const receipt = xml('message', { to: stanza.attrs.from!, id: `r${stanza.attrs.id}` }, xml('received', { xmlns: RECEIPTS, id: stanza.attrs.id! }));
        void b.send(receipt);
      }
      pair.onReceive(body);
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

interface XmppOutcome {
  readonly name: string;
  readonly sizes?: Sizes;
  readonly note: string;
}

async function xmppOutcome(likeForLike: boolean): Promise<XmppOutcome> {
  if (smoke) return { name: 'ejabberd', note: 'skipped in smoke mode' };
  let peer: Peer | undefined;
  try {
    peer = await startEjabberd(['alice', 'bob'], PASSWORD, { streamManagement: likeForLike });
    if (!peer) return { name: 'ejabberd', note: NOT_INSTALLED };
    const name = `ejabberd ${peer.version}${likeForLike ? ' like for like' : ' bare'}`;
    return { name, sizes: await measureXmpp(peer, likeForLike), note: '' };
  } catch (error) {
    return { name: 'ejabberd', note: `failed: ${(error as Error).message}` };
  } finally {
    await peer?.stop();
  }
}

async function main(): Promise<void> {
  const ours = await measureMagpie();
  const bare = await xmppOutcome(false);
  const like = await xmppOutcome(true);
  const theirs = bare.sizes;
  const peerName = bare.name;
  const peerNote = bare.note;
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
  const likeMet = like.sizes === undefined ? {} : { met: ours.worstCase <= 0.4 * like.sizes.worstCase };
  const likeRow = (measure: string, mine: number, other: number | undefined, extra: Partial<Row> = {}): Row => ({
    ...row(measure, mine, other, extra),
    peer: like.name,
    peerFigure: other === undefined ? like.note : bytes(other),
  });
  printTable(`Wire bytes, Magpie against XMPP${smoke ? ' [smoke]' : ''}`, [
    row('"hi", sender → server', ours.hiUp, theirs?.hiUp, { target: '<= 40 B framed', met: ours.hiUp <= 40 }),
    row('"hi", server → recipient', ours.hiDown, theirs?.hiDown),
    row('ping, client → server', ours.pingUp, theirs?.pingUp, { target: '<= 4 B', met: ours.pingUp <= 4 }),
    row('ping reply', ours.pingDown, theirs?.pingDown),
    likeRow(`${count}-message exchange, all bytes`, ours.worstCase, like.sizes?.worstCase, { target: '>= 60% fewer', ...likeMet }),
    likeRow(`  per message`, Math.round(ours.worstCase / MESSAGES), like.sizes && Math.round(like.sizes.worstCase / MESSAGES)),
    likeRow(`${count}-message exchange, CONFIRM coalesced 200 ms`, ours.coalesced!, like.sizes?.worstCase),
    row(`${count}-message exchange, all bytes`, ours.worstCase, theirs?.worstCase),
    row(`  per message`, Math.round(ours.worstCase / MESSAGES), theirs && Math.round(theirs.worstCase / MESSAGES)),
  ], [
    'Magpie exchange: SEND + SENT + PUSH + one CONFIRM per message',
    'XMPP like for like: the <message/> (with an id and an XEP-0184 request) out and in, XEP-0198 <r/> and <a h=…/> for every stanza both ways, and B\'s XEP-0184 receipt back to A; XMPP bare: the <message/> stanza out and in, nothing else',
    'msg_id is time-based (the server clock in ms × 1024 plus a random step: a 7–8-byte varint) and seq counts from 1 on a fresh server; ids and texts cross the wire as they are (each body here is below the 512-byte deflate threshold)',
    'XMPP ping is XEP-0199 (an iq and its result); its whitespace keepalive is 1 byte but gets no answer',
  ]);
}

await main();
