// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, describe, expect, it } from 'vitest';
import type { GroupView, MemberView, Result } from '../../../preload/api';
import { methodSchemas } from '../../../preload/api-schemas';
import ChatPane from '../../../renderer/src/components/chat/ChatPane.vue';
import GroupDetails from '../../../renderer/src/components/groups/GroupDetails.vue';
import { createMagpieI18n, type Locale } from '../../../renderer/src/i18n';
import { useBackend } from '../../../renderer/src/stores/backend';
import { useConversations } from '../../../renderer/src/stores/conversations';
import { wireEvents } from '../../../renderer/src/stores/event-wiring';
import { useSession } from '../../../renderer/src/stores/session';
import { useToasts } from '../../../renderer/src/stores/toasts';
import { conversation, createFakeApi, noticeMessage, type Handlers } from './fake-api';

const group = (myRole: GroupView['myRole'], muteAll: boolean): GroupView => ({
  groupId: 'gteam', name: 'Team', owner: 'ann', mode: 'public', capacity: 500, memberCount: 3, announcement: '',
  myRole, dnd: false, inviteConfirm: false, dismissed: false, myMuteUntilMs: 0, muteAll,
});
const members: MemberView[] = [
  { userId: 'ann', nickname: 'Ann', role: 'owner', card: '', muteUntilMs: 0 },
  { userId: 'adam', nickname: 'Adam', role: 'admin', card: '', muteUntilMs: 0 },
  { userId: 'me', nickname: 'Me', role: 'member', card: '', muteUntilMs: 0 },
];

function setUp(handlers: Handlers) {
  const pinia = createPinia();
  const api = createFakeApi({
    'conversations.list': () => [conversation('gteam', { title: 'Team' })],
    'group.members': () => ({ members, total: members.length }),
    'messages.page': () => ({ messages: [], more: false }),
    ...handlers,
  });
  useBackend(pinia).attach(api);
  useSession(pinia).session = { userId: 'me', appId: 'app', nickname: 'Me', servers: [] };
  return { pinia, api };
}

const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);

let unmount: (() => void) | undefined;
afterEach(() => {
  unmount?.();
  unmount = undefined;
  document.body.innerHTML = '';
});

describe('the mute all switch in the group’s details', () => {
  async function mountDetails(myRole: GroupView['myRole'], locale: Locale = 'en', refuse?: Result<never>) {
    let current = group(myRole, false);
    const { pinia, api } = setUp({
      'group.info': () => current,
      'group.modify': (args) => refuse ?? (current = { ...current, muteAll: args.muteAll ?? current.muteAll }),
    });
    const wrapper = mount(GroupDetails, { props: { groupId: 'gteam' }, global: { plugins: [pinia, createMagpieI18n(locale)] }, attachTo: document.body });
    unmount = () => wrapper.unmount();
    await flushPromises();
    return { api, pinia };
  }

  it('is offered to the owner and admins, in en and zh-CN, and turns mute all on and off; not to a plain member', async () => {
    for (const [role, locale, label] of [['owner', 'en', 'Mute all'], ['admin', 'zh-CN', '全员禁言']] as const) {
      const { api } = await mountDetails(role, locale);
      const toggle = byTestId('group-mute-all') as HTMLInputElement;
      expect(toggle.closest('label')!.textContent!.trim()).toBe(label);
      expect(toggle.checked).toBe(false);
      toggle.click();
      await flushPromises();
      expect(api.callsOf('group.modify')).toEqual([{ groupId: 'gteam', muteAll: true }]);
      expect((byTestId('group-mute-all') as HTMLInputElement).checked).toBe(true);
      (byTestId('group-mute-all') as HTMLInputElement).click();
      await flushPromises();
      expect(api.callsOf('group.modify')).toEqual([{ groupId: 'gteam', muteAll: true }, { groupId: 'gteam', muteAll: false }]);
      expect((byTestId('group-mute-all') as HTMLInputElement).checked).toBe(false);
      unmount!();
      document.body.innerHTML = '';
    }
    await mountDetails('member');
    expect(byTestId('group-details')).not.toBeNull();
    expect(byTestId('group-mute-all')).toBeNull();
  });

  it('shows the group as it stays when the server refuses, and says why', async () => {
    const { pinia } = await mountDetails('admin', 'en', { ok: false, error: { code: 560005, message: 'only the owner or an admin may do this' } });
    const toggle = byTestId('group-mute-all') as HTMLInputElement;
    toggle.click();
    await flushPromises();
    expect((byTestId('group-mute-all') as HTMLInputElement).checked).toBe(false);
    expect(useToasts(pinia).items.map(({ kind, code }) => ({ kind, code }))).toEqual([{ kind: 'error', code: 560005 }]);
  });
});

describe('mute all in a plain member’s group details', () => {
  async function mountAs(myRole: GroupView['myRole'], muteAll: boolean, locale: Locale = 'en') {
    const { pinia, api } = setUp({ 'group.info': () => group(myRole, muteAll) });
    const wrapper = mount(GroupDetails, { props: { groupId: 'gteam' }, global: { plugins: [pinia, createMagpieI18n(locale)] }, attachTo: document.body });
    unmount = () => wrapper.unmount();
    wireEvents();
    await flushPromises();
    return { api };
  }
  const reset = () => {
    unmount!();
    document.body.innerHTML = '';
  };

  it('reads "Mute all: on" / "全员禁言：已开启" while it is on, with no switch, and goes when it is lifted', async () => {
    const { api } = await mountAs('member', true);
    expect(byTestId('group-mute-all-state')!.textContent!.trim()).toBe('Mute all: on');
    expect(byTestId('group-mute-all')).toBeNull();
    api.emit('group.updated', { group: group('member', false) });
    await flushPromises();
    expect(byTestId('group-mute-all-state')).toBeNull();
    reset();
    await mountAs('member', true, 'zh-CN');
    expect(byTestId('group-mute-all-state')!.textContent!.trim()).toBe('全员禁言：已开启');
    reset();
  });

  it('says nothing while it is off, and the owner and admins have the switch instead of the line', async () => {
    await mountAs('member', false);
    expect(byTestId('group-details')).not.toBeNull();
    expect(byTestId('group-mute-all-state')).toBeNull();
    reset();
    for (const role of ['owner', 'admin'] as const) {
      await mountAs(role, true);
      expect(byTestId('group-mute-all-state')).toBeNull();
      expect((byTestId('group-mute-all') as HTMLInputElement).checked).toBe(true);
      reset();
    }
  });
});

describe('the composer of a member while mute all is on', () => {
  async function mountChat(myRole: GroupView['myRole'], locale: Locale = 'en') {
    const server = { group: group(myRole, true) };
    const { pinia, api } = setUp({ 'group.info': () => server.group });
    const wrapper = mount(ChatPane, { global: { plugins: [pinia, createMagpieI18n(locale)] }, attachTo: document.body });
    unmount = () => wrapper.unmount();
    wireEvents();
    await useConversations(pinia).load();
    await useConversations(pinia).open('gteam');
    await flushPromises();
    return { api, server };
  }

  it('is closed with "All members are muted" and opens again, live, when the notice turns it off', async () => {
    const { api, server } = await mountChat('member');
    expect(byTestId('composer-disabled')!.textContent!.trim()).toBe('All members are muted');
    expect(byTestId('composer-input')).toBeNull();
    // the core keeps the group in step with the notice and says so
    server.group = group('member', false);
    api.emit('message.upserted', { message: noticeMessage({ kind: 'modify', groupId: 'gteam', actor: 'ann', targets: [], text: '', changes: { muteAll: false } }) });
    api.emit('group.updated', { group: group('member', false) });
    await flushPromises();
    expect(byTestId('composer-disabled')).toBeNull();
    expect(byTestId('composer-input')).not.toBeNull();
    server.group = group('member', true);
    api.emit('group.updated', { group: server.group });
    await flushPromises();
    expect(byTestId('composer-disabled')!.textContent!.trim()).toBe('All members are muted');
  });

  it('says it in Chinese, and stays open for the owner and admins', async () => {
    await mountChat('member', 'zh-CN');
    expect(byTestId('composer-disabled')!.textContent!.trim()).toBe('全员禁言中');
    unmount!();
    document.body.innerHTML = '';
    for (const role of ['owner', 'admin'] as const) {
      await mountChat(role);
      expect(byTestId('composer-disabled')).toBeNull();
      expect(byTestId('composer-input')).not.toBeNull();
      unmount!();
      document.body.innerHTML = '';
    }
  });
});

describe("the contract's check of mute all", () => {
  it('lets group.modify through with muteAll, as the switch sends it; groups.create has no such field', () => {
    expect(methodSchemas['group.modify'].args.safeParse({ groupId: 'gteam', muteAll: true }).success).toBe(true);
    expect(methodSchemas['group.modify'].args.safeParse({ groupId: 'gteam', muteAll: false }).success).toBe(true);
    expect(methodSchemas['groups.create'].args.safeParse({ name: 'Team', mode: 'public', muteAll: true }).success).toBe(false);
  });
});
