// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, describe, expect, it } from 'vitest';
import type { GroupView, MemberView, Result } from '../../../preload/api';
import CreateGroupForm from '../../../renderer/src/components/groups/CreateGroupForm.vue';
import GroupDetails from '../../../renderer/src/components/groups/GroupDetails.vue';
import GroupSearch from '../../../renderer/src/components/groups/GroupSearch.vue';
import { createMagpieI18n, type Locale } from '../../../renderer/src/i18n';
import { useBackend } from '../../../renderer/src/stores/backend';
import { useGroups } from '../../../renderer/src/stores/groups';
import { useSession } from '../../../renderer/src/stores/session';
import { useToasts } from '../../../renderer/src/stores/toasts';
import { createFakeApi } from './fake-api';

const group: GroupView = {
  groupId: 'gteam', name: 'Team', owner: 'me', mode: 'public', capacity: 500, memberCount: 2, announcement: '',
  myRole: 'owner', dnd: false, inviteConfirm: false, dismissed: false, myMuteUntilMs: 0, muteAll: false,
};
const members: MemberView[] = [
  { userId: 'me', nickname: 'Me', role: 'owner', card: '', muteUntilMs: 0 },
  { userId: 'bob', nickname: 'Bob', role: 'member', card: '', muteUntilMs: 0 },
];

/** The owner's view of a group, the server behind it answering mute and modify with `refuse` when given. */
async function mountDetails(locale: Locale, refuse?: Result<never>) {
  const pinia = createPinia();
  const api = createFakeApi({
    'group.info': () => group,
    'group.members': () => ({ members, total: members.length }),
    'group.mute': () => refuse ?? null,
    'group.modify': (args) => refuse ?? { ...group, ...args },
  });
  useBackend(pinia).attach(api);
  useSession(pinia).session = { userId: 'me', appId: 'app', nickname: '', servers: [] };
  const wrapper = mount(GroupDetails, { props: { groupId: 'gteam' }, global: { plugins: [pinia, createMagpieI18n(locale)] }, attachTo: document.body });
  await flushPromises();
  return { wrapper, api, toasts: useToasts(pinia) };
}

const byTestId = (id: string) => document.querySelector<HTMLElement>(`[data-testid="${id}"]`);

async function click(id: string): Promise<void> {
  byTestId(id)!.click();
  await flushPromises();
}

async function type(id: string, value: string): Promise<void> {
  const input = byTestId(id) as HTMLInputElement;
  input.value = value;
  input.dispatchEvent(new Event('input'));
  await flushPromises();
}

async function openMute(): Promise<void> {
  const actions = document.querySelectorAll<HTMLElement>('[data-testid="member-actions"]');
  actions[0]!.click();
  await flushPromises();
  await click('member-mute');
}

let unmount: (() => void) | undefined;
afterEach(() => {
  unmount?.();
  document.body.innerHTML = '';
});

describe('the mute dialog', () => {
  it('keeps a bad length and says what it takes, in en and zh-CN, sending nothing', async () => {
    for (const [locale, text] of [['en', 'Enter whole minutes from 1 to 43200 (at most 30 days)'], ['zh-CN', '请输入 1 到 43200 之间的整数分钟（最长 30 天）']] as const) {
      const { wrapper, api } = await mountDetails(locale);
      unmount = () => wrapper.unmount();
      await openMute();
      for (const bad of ['-5', '0', 'abc', '100000', '1.5']) {
        await type('mute-minutes', bad);
        await click('mute-save');
        expect(byTestId('mute-dialog')).not.toBeNull();
        expect((byTestId('mute-minutes') as HTMLInputElement).value).toBe(bad);
        expect(byTestId('mute-error')!.textContent!.trim()).toBe(text);
        expect(byTestId('mute-minutes')!.getAttribute('aria-invalid')).toBe('true');
      }
      expect(api.callsOf('group.mute')).toEqual([]);
      wrapper.unmount();
      document.body.innerHTML = '';
    }
    unmount = undefined;
  });

  it('sends 30 days, the longest, in seconds and closes', async () => {
    const { wrapper, api } = await mountDetails('en');
    unmount = () => wrapper.unmount();
    await openMute();
    await type('mute-minutes', '43200');
    await click('mute-save');
    expect(api.callsOf('group.mute')).toEqual([{ groupId: 'gteam', user: 'bob', seconds: 30 * 24 * 3600 }]);
    expect(byTestId('mute-dialog')).toBeNull();
  });

  it("keeps the dialog open with the server's refusal beside the field, not a toast", async () => {
    const { wrapper, toasts } = await mountDetails('en', { ok: false, error: { code: 560005, message: 'not a manager' } });
    unmount = () => wrapper.unmount();
    await openMute();
    await type('mute-minutes', '15');
    await click('mute-save');
    expect(byTestId('mute-dialog')).not.toBeNull();
    expect((byTestId('mute-minutes') as HTMLInputElement).value).toBe('15');
    expect(byTestId('mute-error')!.textContent).toContain('Only owners and admins can do that (code 560005)');
    expect(toasts.items).toEqual([]);
  });
});

describe('the edit group dialog', () => {
  it('keeps a name over 64 characters and says "1–64 characters", in en and zh-CN, sending nothing', async () => {
    const long = 'n'.repeat(70);
    for (const [locale, text] of [['en', 'A group name is 1–64 characters (this one is 70)'], ['zh-CN', '群名称须为 1–64 个字符（当前 70 个）']] as const) {
      const { wrapper, api } = await mountDetails(locale);
      unmount = () => wrapper.unmount();
      await click('group-edit');
      await type('edit-group-name', long);
      await click('edit-group-save');
      expect(byTestId('edit-group-dialog')).not.toBeNull();
      expect((byTestId('edit-group-name') as HTMLInputElement).value).toBe(long);
      expect(byTestId('edit-group-name-error')!.textContent!.trim()).toBe(text);
      expect(api.callsOf('group.modify')).toEqual([]);
      wrapper.unmount();
      document.body.innerHTML = '';
    }
    unmount = undefined;
  });

  it('refuses an empty name and an announcement over 1024 characters', async () => {
    const { wrapper, api } = await mountDetails('en');
    unmount = () => wrapper.unmount();
    await click('group-edit');
    await type('edit-group-name', '   ');
    await type('edit-group-announcement', 'a'.repeat(1025));
    await click('edit-group-save');
    // said as the create form says it, not as a count of nothing
    expect(byTestId('edit-group-name-error')!.textContent).toBe('Enter a group name');
    expect(byTestId('edit-group-announcement-error')!.textContent).toContain('at most 1024 characters (this one is 1025)');
    expect(api.callsOf('group.modify')).toEqual([]);
  });

  it('counts a name and an announcement as the server does: 64 emoji are a name, 65 are not', async () => {
    const { wrapper, api } = await mountDetails('en');
    unmount = () => wrapper.unmount();
    await click('group-edit');
    await type('edit-group-name', '😀'.repeat(65));
    await type('edit-group-announcement', '😀'.repeat(1025));
    await click('edit-group-save');
    expect(byTestId('edit-group-name-error')!.textContent).toContain('1–64 characters (this one is 65)');
    expect(byTestId('edit-group-announcement-error')!.textContent).toContain('at most 1024 characters (this one is 1025)');
    expect(api.callsOf('group.modify')).toEqual([]);
    await type('edit-group-name', '😀'.repeat(64));
    await type('edit-group-announcement', '😀'.repeat(1024));
    await click('edit-group-save');
    expect(api.callsOf('group.modify')).toEqual([{ groupId: 'gteam', name: '😀'.repeat(64), announcement: '😀'.repeat(1024), mode: 'public' }]);
  });

  it("keeps the dialog and its input open with the server's refusal", async () => {
    const { wrapper, toasts } = await mountDetails('en', { ok: false, error: { code: 560010, message: 'name must not hold control characters' } });
    unmount = () => wrapper.unmount();
    await click('group-edit');
    await type('edit-group-name', 'New name');
    await click('edit-group-save');
    expect(byTestId('edit-group-dialog')).not.toBeNull();
    expect((byTestId('edit-group-name') as HTMLInputElement).value).toBe('New name');
    expect(byTestId('edit-group-error')!.textContent).toContain('(code 560010)');
    expect(toasts.items).toEqual([]);
  });

  it('closes once the server took the change', async () => {
    const { wrapper, api } = await mountDetails('en');
    unmount = () => wrapper.unmount();
    await click('group-edit');
    await type('edit-group-name', '  Renamed  ');
    await click('edit-group-save');
    expect(api.callsOf('group.modify')).toEqual([{ groupId: 'gteam', name: 'Renamed', announcement: '', mode: 'public' }]);
    expect(byTestId('edit-group-dialog')).toBeNull();
  });
});


describe("the group's details", () => {
  it('name the owner as the member list does, with the id as its tooltip, not by the bare id', async () => {
    const { wrapper } = await mountDetails('en');
    const owner = byTestId('group-owner')!;
    expect(owner.textContent!.trim()).toBe('Me');
    expect(owner.title).toBe('me');
    wrapper.unmount();
  });
});

describe('a group one has left', () => {
  it('says so in its details, with no member list held from before and no error toast', async () => {
    const pinia = createPinia();
    let left = false;
    const api = createFakeApi({
      'group.info': () => ({ ...group, owner: 'bob', myRole: left ? 'none' : 'member' }),
      'group.members': () => (left ? { ok: false, error: { code: 560072, message: 'not a member of gteam' } } : { members, total: members.length }),
      'group.quit': () => {
        left = true;
        return null;
      },
      'profiles.get': () => [],
    });
    useBackend(pinia).attach(api);
    useSession(pinia).session = { userId: 'me', appId: 'app', nickname: '', servers: [] };
    const groups = useGroups(pinia);
    await groups.refresh('gteam');
    await groups.loadMembers('gteam');
    expect(groups.members['gteam']).toHaveLength(2);
    expect(await groups.leave('gteam', 'quit')).toBe(true);
    expect(groups.members['gteam']).toEqual([]);
    // the chat's drawer opened afterwards asks again, and the server refuses a non-member
    const wrapper = mount(GroupDetails, { props: { groupId: 'gteam' }, global: { plugins: [pinia, createMagpieI18n('en')] }, attachTo: document.body });
    await flushPromises();
    expect(byTestId('group-not-member')!.textContent!.trim()).toBe('You are no longer a member of this group');
    expect(byTestId('member-list')).toBeNull();
    expect(useToasts(pinia).items).toEqual([]);
    wrapper.unmount();
  });
});

describe('the create group form', () => {
  it('counts the name as the server does: 65 emoji are said to be too long, 64 are sent whole', async () => {
    const pinia = createPinia();
    const api = createFakeApi({ 'groups.create': (args) => ({ ...group, name: args.name }) });
    useBackend(pinia).attach(api);
    const wrapper = mount(CreateGroupForm, { global: { plugins: [pinia, createMagpieI18n('en')] }, attachTo: document.body });
    unmount = () => wrapper.unmount();
    await type('create-group-name', '😀'.repeat(65));
    await click('create-group-submit');
    expect(byTestId('create-group-name-error')!.textContent).toContain('A group name is 1–64 characters (this one is 65)');
    expect(api.callsOf('groups.create')).toEqual([]);
    // the field takes the 64 emoji whole: no limit in UTF-16 units cuts it at 32
    expect(byTestId('create-group-name')!.hasAttribute('maxlength')).toBe(false);
    await type('create-group-name', '😀'.repeat(64));
    await type('create-group-announcement', '😀'.repeat(1025));
    await click('create-group-submit');
    expect(byTestId('create-group-announcement-error')!.textContent).toContain('at most 1024 characters (this one is 1025)');
    expect(api.callsOf('groups.create')).toEqual([]);
    await type('create-group-announcement', '😀'.repeat(1024));
    await click('create-group-submit');
    expect(api.callsOf('groups.create')).toMatchObject([{ name: '😀'.repeat(64), announcement: '😀'.repeat(1024) }]);
  });
  it('keeps Create enabled with no name, and a click says why beside the field, in en and zh-CN', async () => {
    for (const [locale, words] of [['en', 'Enter a group name'], ['zh-CN', '请输入群名称']] as const) {
      const pinia = createPinia();
      const api = createFakeApi({ 'groups.create': (args) => ({ ...group, name: args.name }) });
      useBackend(pinia).attach(api);
      const wrapper = mount(CreateGroupForm, { global: { plugins: [pinia, createMagpieI18n(locale)] }, attachTo: document.body });
      const submit = byTestId('create-group-submit') as HTMLButtonElement;
      expect(submit.disabled).toBe(false);
      await type('create-group-name', '   ');
      await click('create-group-submit');
      const field = byTestId('create-group-name')!;
      const error = byTestId('create-group-name-error')!;
      expect(error.textContent!.trim()).toBe(words);
      expect(error.getAttribute('role')).toBe('alert');
      expect(field.getAttribute('aria-invalid')).toBe('true');
      expect(field.getAttribute('aria-describedby')).toBe(error.id);
      expect(document.activeElement).toBe(field);
      // the browser's own bubble (in the browser's language) never speaks first
      expect(field.hasAttribute('required')).toBe(false);
      expect(api.callsOf('groups.create')).toEqual([]);
      // editing the name takes the error back; a name then creates the group
      await type('create-group-name', 'Team');
      expect(error.textContent!.trim()).toBe('');
      expect(field.getAttribute('aria-invalid')).toBe('false');
      await click('create-group-submit');
      expect(api.callsOf('groups.create')).toMatchObject([{ name: 'Team' }]);
      wrapper.unmount();
    }
  });
});

describe('the invite dialog', () => {
  it('says who was in already and not invited again, in en and zh-CN', async () => {
    for (const [locale, text] of [['en', 'Already in the group, not invited again: bob'], ['zh-CN', '已在群中，未再次邀请：bob']] as const) {
      const pinia = createPinia();
      const api = createFakeApi({
        'group.info': () => group,
        'group.members': () => ({ members, total: members.length }),
        'group.invite': (args) => ({ invited: args.users.filter((u) => u !== 'bob'), alreadyMembers: args.users.filter((u) => u === 'bob') }),
      });
      useBackend(pinia).attach(api);
      useSession(pinia).session = { userId: 'me', appId: 'app', nickname: '', servers: [] };
      const wrapper = mount(GroupDetails, { props: { groupId: 'gteam' }, global: { plugins: [pinia, createMagpieI18n(locale)] }, attachTo: document.body });
      unmount = () => wrapper.unmount();
      await flushPromises();
      await click('group-invite');
      await type('invite-users', 'bob, dan');
      await click('invite-send');
      expect(api.callsOf('group.invite')).toEqual([{ groupId: 'gteam', users: ['bob', 'dan'] }]);
      const toasts = useToasts(pinia).items;
      expect(toasts).toHaveLength(1);
      expect(createMagpieI18n(locale).global.t(toasts[0]!.words!.key, toasts[0]!.words!.values)).toBe(text);
      wrapper.unmount();
      document.body.innerHTML = '';
    }
    unmount = undefined;
  });
});

describe('find groups', () => {
  it('asks for a keyword, or a shorter one, beside the field instead of sending what the server refuses, in en and zh-CN', async () => {
    for (const [locale, empty, long] of [
      ['en', 'Type part of a group name, or a group ID', 'A search is at most 64 characters (this one is 70)'],
      ['zh-CN', '请输入群名称的一部分或群 ID', '搜索内容最多 64 个字符（当前 70 个）'],
    ] as const) {
      const pinia = createPinia();
      const api = createFakeApi({ 'groups.search': () => [group] });
      useBackend(pinia).attach(api);
      const wrapper = mount(GroupSearch, { global: { plugins: [pinia, createMagpieI18n(locale)] }, attachTo: document.body });
      unmount = () => wrapper.unmount();
      const submit = async () => {
        byTestId('group-search-input')!.closest('form')!.dispatchEvent(new Event('submit'));
        await flushPromises();
      };
      await type('group-search-input', '   ');
      await submit();
      expect(byTestId('group-search-error')!.textContent!.trim()).toBe(empty);
      await type('group-search-input', '读'.repeat(70));
      await submit();
      expect(byTestId('group-search-error')!.textContent!.trim()).toBe(long);
      expect(api.callsOf('groups.search')).toEqual([]);
      expect(useToasts(pinia).items).toEqual([]);
      // 64 emoji are 64 characters to the server, and are sent
      await type('group-search-input', '📖'.repeat(64));
      expect(byTestId('group-search-error')!.textContent!.trim()).toBe('');
      await submit();
      expect(api.callsOf('groups.search')).toMatchObject([{ keyword: '📖'.repeat(64) }]);
      wrapper.unmount();
      document.body.innerHTML = '';
    }
    unmount = undefined;
  });
});
