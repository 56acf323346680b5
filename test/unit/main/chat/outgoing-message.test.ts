import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../../protocol';
import { buildOutgoing } from '../../../../main/chat/outgoing-message';

/** Burn after reading is one-to-one only: the core refuses it for a group before storing anything. */
describe('an outgoing burn-after-reading text', () => {
  it('is built for a one-to-one chat', () => {
    const draft = buildOutgoing('alice', 'bob', { kind: 'text', text: 'secret', burnAfterReading: true }, 1_700_000_000_000);
    expect(draft.message.burnAfterReading).toBe(true);
  });

  it('is refused for a group, as the server would, so no message is kept that can never be sent', () => {
    expect(() => buildOutgoing('alice', 'g1234', { kind: 'text', text: 'secret', burnAfterReading: true }, 1_700_000_000_000)).toThrow(
      expect.objectContaining({ code: ErrorCode.BAD_ARGUMENT }),
    );
    expect(buildOutgoing('alice', 'g1234', { kind: 'text', text: 'plain' }, 1_700_000_000_000).message.burnAfterReading).toBe(false);
  });
});
