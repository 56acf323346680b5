import { describe, expect, it } from 'vitest';
import { mayRevoke, REVOKE_WINDOW_MS } from '../../../renderer/src/components/chat/revoke-rule';
import { message } from './fake-api';

/** The menu's Revoke follows the server's rule (server/chat/revoke.ts) exactly. */
describe('who may revoke a message', () => {
  const now = 1_700_000_000_000;
  const inGroup = (change: Parameters<typeof message>[2] = {}) =>
    message('m', now - 10 * 60_000, { conversation: 'g1', conversationKind: 'group', from: 'carol', to: 'g1', ...change });

  it('the sender within the window (its edge included), not after', () => {
    const mine = (age: number) => message('m', now - age, { outgoing: true, from: 'me', state: 'sent' });
    expect(mayRevoke(mine(REVOKE_WINDOW_MS), { nowMs: now })).toBe(true);
    expect(mayRevoke(mine(REVOKE_WINDOW_MS + 1), { nowMs: now })).toBe(false);
    expect(mayRevoke(message('m', now, { outgoing: true, state: 'sending', msgId: undefined }), { nowMs: now })).toBe(false);
    expect(mayRevoke(message('m', now), { nowMs: now })).toBe(false);
  });

  it("an owner or admin: any member's message of the group, at any age; their own past the window too", () => {
    for (const myRole of ['owner', 'admin'] as const) {
      expect(mayRevoke(inGroup(), { myRole, nowMs: now })).toBe(true);
      expect(mayRevoke(inGroup({ outgoing: true, from: 'me', state: 'read' }), { myRole, nowMs: now })).toBe(true);
    }
    expect(mayRevoke(inGroup(), { myRole: 'member', nowMs: now })).toBe(false);
    expect(mayRevoke(inGroup(), { myRole: 'none', nowMs: now })).toBe(false);
  });

  it('not in a dismissed group (it has no admins), nor a message already revoked', () => {
    expect(mayRevoke(inGroup(), { myRole: 'owner', groupDismissed: true, nowMs: now })).toBe(false);
    expect(mayRevoke(inGroup({ revoked: true }), { myRole: 'owner', nowMs: now })).toBe(false);
    // one's own within the window stays revocable by its sender, as on the server
    expect(mayRevoke(inGroup({ outgoing: true, from: 'me', state: 'sent', timeMs: now }), { myRole: 'none', groupDismissed: true, nowMs: now })).toBe(true);
  });
});
