/**
 * Wire sizes of Magpie frames: ping, pong, a "hi" text and its receipt and push, and the bytes of
 * a 1,000-message exchange between two online users. Counts frame bytes only (no TCP/IP or TLS
 * overhead). Needs no server and no peer.
 *
 *   npm run bench -- wire-size [--smoke]
 *
 * --smoke is accepted for CI and changes nothing but the title: the run takes milliseconds either way.
 */
import { bodyFrame, DEFAULT_WIRE_LIMITS, emptyFrame, encodeFrame, newClientMsgId, type Frame } from '../protocol';
import { nextMessageId } from '../server/chat/message-store';
import { CHAT_TEXTS } from './support/chat-texts';

const smoke = process.argv.includes('--smoke');

const threshold = DEFAULT_WIRE_LIMITS.compressThresholdBytes;
const size = (frame: Frame): number => encodeFrame(frame).length;

function hiFrames(requestId: number, msgId: bigint, senderSeq: bigint, recipientSeq: bigint, text: string, timeMs: bigint) {
  const clientMsgId = newClientMsgId(Number(timeMs));
  return {
    send: bodyFrame('SEND', { clientMsgId, to: 'bob', text }, { requestId, compressThresholdBytes: threshold }),
    sent: bodyFrame('SENT', { msgId, timeMs, seq: senderSeq }, { requestId }),
    push: bodyFrame(
      'PUSH',
      { seq: recipientSeq, item: { case: 'message', value: { msgId, from: 'alice', timeMs, text } } },
      { compressThresholdBytes: threshold },
    ),
    confirm: bodyFrame('CONFIRM', { seq: recipientSeq }),
  };
}

const TEXTS = CHAT_TEXTS;

const now = BigInt(Date.now());
/** A message id as the server gives it: time-based (ms × 1024 plus a random step), a 7–8-byte varint. */
const msgIdAt = (timeMs: bigint): bigint => BigInt(nextMessageId(0, Number(timeMs), 17));
const hi = hiFrames(1, msgIdAt(now), 5_001n, 7_001n, 'hi', now);

const exchange = { messages: 1_000, send: 0, sent: 0, push: 0, confirm: 0 };
for (let i = 0; i < exchange.messages; i++) {
  const at = now + BigInt(i * 1500);
  const frames = hiFrames(2 + i, msgIdAt(at), 5_002n + BigInt(i), 7_002n + BigInt(i), TEXTS[i % TEXTS.length]!, at);
  exchange.send += size(frames.send);
  exchange.sent += size(frames.sent);
  exchange.push += size(frames.push);
  exchange.confirm += size(frames.confirm);
}
const count = exchange.messages.toLocaleString('en-US');
const exchangeTotal = exchange.send + exchange.sent + exchange.push + exchange.confirm;

const rows: [string, number, string][] = [
  ['ping (c→s)', size(emptyFrame('PING')), 'no request id'],
  ['pong (s→c)', size(emptyFrame('PONG')), ''],
  ['"hi" SEND (alice→server)', size(hi.send), '16-byte client id, request id 1'],
  ['"hi" SENT receipt (server→alice)', size(hi.sent), 'msg_id, time_ms, seq'],
  ['"hi" PUSH (server→bob)', size(hi.push), 'seq, msg_id, from, time_ms (no to: bob is the reader)'],
  ['CONFIRM (bob→server)', size(hi.confirm), 'seq, no request id'],
  [`${count} messages: SEND`, exchange.send, `${TEXTS.length} texts in turn`],
  [`${count} messages: SENT`, exchange.sent, ''],
  [`${count} messages: PUSH`, exchange.push, ''],
  [`${count} messages: CONFIRM`, exchange.confirm, 'one per message (worst case)'],
  [`${count}-message exchange, total`, exchangeTotal, `${(exchangeTotal / exchange.messages).toFixed(1)} bytes per message`],
];

const nameWidth = Math.max(...rows.map(([name]) => name.length));
const bytesWidth = Math.max(5, ...rows.map(([, bytes]) => String(bytes).length));
console.log(`Magpie wire sizes (frame bytes, no TCP/IP overhead)${smoke ? ' [smoke]' : ''}`);
console.log(`${'frame'.padEnd(nameWidth)}  ${'bytes'.padStart(bytesWidth)}  note`);
console.log(`${'-'.repeat(nameWidth)}  ${'-'.repeat(bytesWidth)}  ----`);
for (const [name, bytes, note] of rows) console.log(`${name.padEnd(nameWidth)}  ${String(bytes).padStart(bytesWidth)}  ${note}`);
console.log('sizes only: wire-xmpp.bench.ts compares the same exchange with XMPP');
