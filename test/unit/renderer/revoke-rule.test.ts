import { describe, expect, it } from 'vitest';
import type { GroupRoleName, MemberView } from '../../../preload/api';
import { mayRevoke, type RevokeContext } from '../../../renderer/src/components/chat/revoke-rule';
import { message } from './fake-api';

/** The menu's Revoke follows the server's rule (server/chat/revoke.ts): never offered where it is refused. */
describe('who may revoke a message', () => {
  const now = 1_700_000_000_000;
  /** The window the server told at login: not the 2-minute default. */
  const REVOKE_WINDOW_MS = 5_000;
  const oneToOne: RevokeContext = { nowMs: now, revokeWindowMs: REVOKE_WINDOW_MS };
  const member = (userId: string, role: GroupRoleName): MemberView => ({ userId, nickname: userId, role, card: '', muteUntilMs: 0 });
  // ann owns the group, adam and me (sometimes) are admins, carol is a plain member; dave has left it
  const members = [member('ann', 'owner'), member('adam', 'admin'), member('carol', 'member')];
  const asRole = (myRole: GroupRoleName, change: Partial<RevokeContext> = {}): RevokeContext => ({
    myRole,
    groupOwner: 'ann',
    members: [...members, member('me', myRole)],
    nowMs: now,
    revokeWindowMs: REVOKE_WINDOW_MS,
    ...change,
  });
  /** A group message from someone, ten minutes old: past the window. */
  const inGroup = (from: string, change: Parameters<typeof message>[2] = {}) =>
    message('m', now - 10 * 60_000, { conversation: 'g1', conversationKind: 'group', from, to: 'g1', ...change });
  const mineInGroup = (age: number) => inGroup('me', { outgoing: true, state: 'sent', timeMs: now - age });

  it('one-to-one: the sender within the window (its edge included), not after, never the recipient', () => {
    const mine = (age: number) => message('m', now - age, { outgoing: true, from: 'me', state: 'sent' });
    expect(mayRevoke(mine(REVOKE_WINDOW_MS), oneToOne)).toBe(true);
    expect(mayRevoke(mine(REVOKE_WINDOW_MS + 1), oneToOne)).toBe(false);
    expect(mayRevoke(message('m', now, { outgoing: true, state: 'sending', msgId: undefined }), oneToOne)).toBe(false);
    expect(mayRevoke(message('m', now), oneToOne)).toBe(false);
  });

  it("follows the server's window, whatever it is: a 10-minute one offers what the default would not", () => {
    const mine = (age: number) => message('m', now - age, { outgoing: true, from: 'me', state: 'sent' });
    const tenMinutes = { nowMs: now, revokeWindowMs: 10 * 60_000 };
    expect(mayRevoke(mine(3 * 60_000), tenMinutes)).toBe(true);
    expect(mayRevoke(mine(10 * 60_000 + 1), tenMinutes)).toBe(false);
    // a 5 s window: a message of 6 s is past it
    expect(mayRevoke(mine(6_000), oneToOne)).toBe(false);
    expect(mayRevoke(mineInGroup(6_000), asRole('member'))).toBe(false);
  });

  it('the owner: any message of the group at any age, an admin’s and their own included', () => {
    for (const from of ['carol', 'adam', 'dave', 'system']) expect(mayRevoke(inGroup(from), asRole('owner'))).toBe(true);
    expect(mayRevoke(mineInGroup(10 * 60_000), asRole('owner'))).toBe(true);
  });

  it('an admin: a plain member’s or a former member’s message at any age and their own, never the owner’s or another admin’s', () => {
    expect(mayRevoke(inGroup('carol'), asRole('admin'))).toBe(true);
    expect(mayRevoke(inGroup('dave'), asRole('admin'))).toBe(true);
    expect(mayRevoke(mineInGroup(10 * 60_000), asRole('admin'))).toBe(true);
    expect(mayRevoke(inGroup('ann'), asRole('admin'))).toBe(false);
    expect(mayRevoke(inGroup('adam'), asRole('admin'))).toBe(false);
    // within the window as well: the window is the sender's, not a manager's
    expect(mayRevoke(inGroup('adam', { timeMs: now }), asRole('admin'))).toBe(false);
    // the owner's even while the member list has not come
    expect(mayRevoke(inGroup('ann'), asRole('admin', { members: undefined }))).toBe(false);
  });

  it('an admin is not offered another’s message while the member list (who is an admin) has not come', () => {
    expect(mayRevoke(inGroup('carol'), asRole('admin', { members: undefined }))).toBe(false);
    expect(mayRevoke(inGroup('carol'), asRole('admin', { members: [] }))).toBe(false);
    // one's own needs no list
    expect(mayRevoke(mineInGroup(10 * 60_000), asRole('admin', { members: undefined }))).toBe(true);
  });

  it('a plain member: their own within the window only', () => {
    expect(mayRevoke(mineInGroup(REVOKE_WINDOW_MS), asRole('member'))).toBe(true);
    expect(mayRevoke(mineInGroup(REVOKE_WINDOW_MS + 1), asRole('member'))).toBe(false);
    for (const from of ['carol', 'adam', 'ann', 'dave']) expect(mayRevoke(inGroup(from, { timeMs: now }), asRole('member'))).toBe(false);
  });

  it('out of the group (left, kicked, dismissed) or not knowing it: nothing, one’s own within the window included', () => {
    const fresh = mineInGroup(1_000);
    expect(mayRevoke(fresh, asRole('none'))).toBe(false);
    expect(mayRevoke(fresh, oneToOne)).toBe(false);
    expect(mayRevoke(fresh, asRole('owner', { groupDismissed: true }))).toBe(false);
    expect(mayRevoke(inGroup('carol'), asRole('owner', { groupDismissed: true }))).toBe(false);
  });

  it('never a message already revoked or burned, nor a notice', () => {
    expect(mayRevoke(inGroup('carol', { revoked: true }), asRole('owner'))).toBe(false);
    expect(mayRevoke(inGroup('carol', { burned: true }), asRole('owner'))).toBe(false);
    expect(mayRevoke(inGroup('carol', { kind: 'notice' }), asRole('owner'))).toBe(false);
  });
});
