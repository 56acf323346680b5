import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bodyFrame, emptyFrame, encodeFrame, MAX_REQUEST_ID } from '../../../protocol';

/** The "hi" a recipient gets pushed: an inbox entry holding the stored message. */
function hiPush(seq: bigint, msgId: bigint): Uint8Array {
  return encodeFrame(
    bodyFrame('PUSH', {
      seq,
      item: { case: 'message', value: { msgId, from: 'alice', to: 'bob', timeMs: BigInt(Date.now()), text: 'hi' } },
    }),
  );
}

function hiSend(requestId: number): Uint8Array {
  return encodeFrame(bodyFrame('SEND', { clientMsgId: randomBytes(16), to: 'bob', text: 'hi' }, { requestId }));
}

describe('wire sizes', () => {
  it('ping and pong are at most 4 bytes each', () => {
    expect(encodeFrame(emptyFrame('PING')).length).toBeLessThanOrEqual(4);
    expect(encodeFrame(emptyFrame('PONG')).length).toBeLessThanOrEqual(4);
    expect(encodeFrame(emptyFrame('PING'))).toEqual(Uint8Array.of(0x02, 0x01, 0x00));
  });

  it('a "hi" SEND (16-byte client id, to bob) is at most 40 bytes, whatever its request id', () => {
    for (const requestId of [1, 200, 70_000, MAX_REQUEST_ID]) expect(hiSend(requestId).length).toBeLessThanOrEqual(40);
    expect(hiSend(1).length).toBe(31);
  });

  it('the "hi" PUSH bob gets is at most 40 bytes, for seqs below 2^28 and message ids below 2^42', () => {
    expect(hiPush(1n, 1n).length).toBeLessThanOrEqual(40);
    expect(hiPush(5_000n, 1_000_000n).length).toBeLessThanOrEqual(40);
    expect(hiPush(2n ** 28n - 1n, 2n ** 42n - 1n).length).toBeLessThanOrEqual(40);
  });
});
