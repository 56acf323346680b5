// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { GroupView, MemberView } from '../../../preload/api';
import ConfirmHost from '../../../renderer/src/components/common/ConfirmHost.vue';
import GroupDetails from '../../../renderer/src/components/groups/GroupDetails.vue';
import { createMagpieI18n } from '../../../renderer/src/i18n';
import { useBackend } from '../../../renderer/src/stores/backend';
import { useSession } from '../../../renderer/src/stores/session';
import { createFakeApi } from './fake-api';

const group: GroupView = {
  groupId: 'gteam', name: 'Team', owner: 'me', mode: 'public', capacity: 500, memberCount: 2, announcement: '',
  myRole: 'owner', dnd: false, inviteConfirm: false, dismissed: false, myMuteUntilMs: 0, muteAll: false,
};
const members: MemberView[] = [
  { userId: 'me', nickname: 'Me', role: 'owner', card: '', muteUntilMs: 0 },
  { userId: 'bob', nickname: 'Bob', role: 'member', card: '', muteUntilMs: 0 },
];

const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);

async function mountDetails() {
  const pinia = createPinia();
  const api = createFakeApi({
    'profiles.get': () => [],
    'group.info': () => group,
    'group.members': () => ({ members, total: members.length }),
    'group.mute': () => null,
  });
  useBackend(pinia).attach(api);
  useSession(pinia).session = { userId: 'me', appId: 'app', nickname: 'Me', servers: [] };
  const plugins = [pinia, createMagpieI18n('en')];
  const details = mount(GroupDetails, { props: { groupId: 'gteam' }, global: { plugins }, attachTo: document.body });
  const confirms = mount(ConfirmHost, { global: { plugins }, attachTo: document.body });
  await flushPromises();
  return () => {
    details.unmount();
    confirms.unmount();
  };
}

/** Opens bob's "More actions" menu from the keyboard and picks an item, as Enter on it does. */
async function pick(item: string): Promise<HTMLElement> {
  const more = byTestId('member-actions')!;
  more.focus();
  more.click();
  await flushPromises();
  const entry = byTestId(item)!;
  // the open menu takes the focus over a tick or two of its own (after a closed confirmation's hand-back)
  await vi.waitFor(() => expect(document.activeElement?.getAttribute('role')).toBe('menuitem'));
  entry.focus();
  entry.click();
  await flushPromises();
  return more;
}

function escape(): void {
  (document.activeElement ?? document.body).dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
}

let unmount: (() => void) | undefined;
afterEach(() => {
  unmount?.();
  unmount = undefined;
  document.body.innerHTML = '';
});

describe("a dialog opened from a member's More actions menu", () => {
  it('gives the focus back to that member\'s More actions button on Escape, not to the page', async () => {
    unmount = await mountDetails();
    const more = await pick('member-mute');
    expect(byTestId('mute-dialog')).not.toBeNull();
    expect(byTestId('mute-dialog')!.contains(document.activeElement)).toBe(true);
    escape();
    await flushPromises();
    expect(byTestId('mute-dialog')).toBeNull();
    expect(document.activeElement).toBe(more);
  });

  it('gives it back once the dialog is done too (Mute saved)', async () => {
    unmount = await mountDetails();
    const more = await pick('member-mute');
    byTestId('mute-save')!.focus();
    byTestId('mute-dialog')!.querySelector('form')!.dispatchEvent(new Event('submit'));
    await flushPromises();
    // the save, the dialog's close and the member list's refresh settle over a few ticks
    await vi.waitFor(() => {
      expect(byTestId('mute-dialog')).toBeNull();
      expect(document.activeElement).toBe(byTestId('member-actions'));
    });
    expect(byTestId('member-actions')).toBe(more);
  });

  it('gives it back when a confirmation (Remove, Make owner) is cancelled', async () => {
    unmount = await mountDetails();
    for (const item of ['member-kick', 'member-transfer']) {
      const more = await pick(item);
      expect(document.querySelector('[role="dialog"]')).not.toBeNull();
      escape();
      await flushPromises();
      // the confirmation closes and hands the focus back over a few ticks of its own
      await vi.waitFor(() => {
        expect(document.querySelector('[role="dialog"]')).toBeNull();
        expect(document.activeElement).toBe(more);
      });
    }
  });
});

describe("a member's row or its More actions gone after a confirmed action", () => {
  /** The owner's view of a group of four; the fake server removes and hands over as the real one does. */
  async function mountLive() {
    let state: GroupView = { ...group, memberCount: 4 };
    let list: MemberView[] = [
      { userId: 'me', nickname: 'Me', role: 'owner', card: '', muteUntilMs: 0 },
      { userId: 'bob', nickname: 'Bob', role: 'member', card: '', muteUntilMs: 0 },
      { userId: 'cat', nickname: 'Cat', role: 'member', card: '', muteUntilMs: 0 },
      { userId: 'dan', nickname: 'Dan', role: 'member', card: '', muteUntilMs: 0 },
    ];
    const pinia = createPinia();
    useBackend(pinia).attach(createFakeApi({
      'profiles.get': () => [],
      'group.info': () => state,
      'group.members': () => ({ members: list.map((m) => ({ ...m })), total: list.length }),
      'group.kick': ({ users }) => {
        list = list.filter((m) => !users.includes(m.userId));
        state = { ...state, memberCount: list.length };
        return null;
      },
      'group.transfer': ({ user }) => {
        list = list.map((m) => ({ ...m, role: m.userId === user ? 'owner' : 'member' }));
        state = { ...state, owner: user, myRole: 'member' };
        return null;
      },
    }));
    useSession(pinia).session = { userId: 'me', appId: 'app', nickname: 'Me', servers: [] };
    const plugins = [pinia, createMagpieI18n('en')];
    const details = mount(GroupDetails, { props: { groupId: 'gteam' }, global: { plugins }, attachTo: document.body });
    const confirms = mount(ConfirmHost, { global: { plugins }, attachTo: document.body });
    await flushPromises();
    unmount = () => {
      details.unmount();
      confirms.unmount();
    };
  }
  const actionsOf = (user: string) => document.querySelector<HTMLElement>(`[data-testid="member-row"][data-user="${user}"] [data-testid="member-actions"]`);

  /** Opens the member's More actions from the keyboard, picks the item and confirms, as Enter does. */
  async function confirmFor(user: string, item: string): Promise<void> {
    const more = actionsOf(user)!;
    more.focus();
    more.click();
    await flushPromises();
    const entry = byTestId(item)!;
    entry.focus();
    entry.click();
    await flushPromises();
    byTestId('confirm-yes')!.focus();
    byTestId('confirm-yes')!.click();
    await flushPromises();
  }

  it("Remove: the focus goes to the next member's More actions, or the one before after the last", async () => {
    await mountLive();
    await confirmFor('bob', 'member-kick');
    expect(document.querySelector('[data-user="bob"]')).toBeNull();
    expect(document.activeElement).toBe(actionsOf('cat'));
    await confirmFor('dan', 'member-kick');
    expect(document.querySelector('[data-user="dan"]')).toBeNull();
    expect(document.activeElement).toBe(actionsOf('cat'));
    // the last one I manage: the member list has it
    await confirmFor('cat', 'member-kick');
    expect(document.activeElement).toBe(byTestId('member-list'));
    expect(byTestId('member-list')!.getAttribute('aria-labelledby')).toBe(document.querySelector('.members h3')!.id);
  });

  it('Make owner: with every More actions gone, the member list has the focus', async () => {
    await mountLive();
    await confirmFor('cat', 'member-transfer');
    expect(document.querySelector('[data-testid="member-actions"]')).toBeNull();
    expect(document.querySelector('[data-user="cat"]')!.getAttribute('data-role')).toBe('owner');
    expect(document.activeElement).toBe(byTestId('member-list'));
  });
});
