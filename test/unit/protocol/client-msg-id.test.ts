import { describe, expect, it } from 'vitest';
import { CLIENT_MSG_ID_BYTES, newClientMsgId } from '../../../protocol';

const hex = (id: Uint8Array) => Buffer.from(id).toString('hex');

describe('client message ids', () => {
  it('start with the sender clock in ms, big-endian, then hold random bytes', () => {
    const now = Date.UTC(2026, 10, 28, 8, 30);
    const id = newClientMsgId(now);
    expect(id).toHaveLength(CLIENT_MSG_ID_BYTES);
    expect(Buffer.from(id.subarray(0, 6)).readUIntBE(0, 6)).toBe(now);
    const ids = new Set(Array.from({ length: 10_000 }, () => hex(newClientMsgId(now))));
    expect(ids.size).toBe(10_000);
  });

  it('sort by time across milliseconds, so the server index grows at its end', () => {
    const earlier = hex(newClientMsgId(1_700_000_000_000));
    const later = hex(newClientMsgId(1_700_000_000_001));
    const muchLater = hex(newClientMsgId(2 ** 47 + 5));
    expect([muchLater, later, earlier].sort()).toEqual([earlier, later, muchLater]);
  });
});
