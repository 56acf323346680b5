import { create, toBinary } from '@bufbuild/protobuf';
import { describe, expect, it } from 'vitest';
import { bodyFrame, DEFAULT_WIRE_LIMITS, decodeFrame, encodeFrame, messagePushFrame, pb } from '../../../protocol';

const message = create(pb.MessageSchema, {
  msgId: 123_456_789n,
  from: 'alice',
  to: 'g42',
  timeMs: 1_790_000_000_000n,
  type: pb.MessageType.TEXT,
  text: '大家好 👋 '.repeat(40),
  mentions: ['bob'],
});

describe('a PUSH built from an already encoded message', () => {
  it.each([0n, 1n, 127n, 128n, 2n ** 40n, 2n ** 64n - 1n])('has the same bytes as the encoded entry (seq %s)', (seq) => {
    const fast = messagePushFrame(seq, toBinary(pb.MessageSchema, message));
    const usual = bodyFrame('PUSH', { seq, item: { case: 'message', value: message } });
    expect(encodeFrame(fast)).toEqual(encodeFrame(usual));
    const decoded = decodeFrame(fast, DEFAULT_WIRE_LIMITS);
    expect(decoded.name === 'PUSH' && decoded.body.seq).toBe(seq);
    expect(decoded.name === 'PUSH' && decoded.body.item.value).toEqual(message);
  });
});
